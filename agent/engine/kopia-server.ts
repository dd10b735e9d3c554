// A loopback `kopia server` over this session's read-only repository, used only for its object endpoint
// (GET /api/v1/objects/{id}): many objects can be read at once, which `kopia snapshot restore` cannot do for one file.
// A random user and password (passed through the environment) keep other local users out; it dies with the session.
import { randomBytes } from 'node:crypto';
import { RestoreError } from './types.js';
import { getObject, RetryableError } from './http-object.js';
import { spawnKopia, type KopiaContext } from './kopia.js';

export interface KopiaServer {
  baseUrl: string;
  /** The whole object's bytes; rejects with CANCELLED when the signal aborts. With `into`, the body is read
   * straight into that buffer (no copy, no allocation) and must fill it exactly. */
  readObject(objectId: string, signal?: AbortSignal, into?: Buffer): Promise<Buffer>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
// The server holds each object it serves whole, two or three times over (fetched, decrypted, the copy it serves),
// and Go's collector lets the heap grow to twice what is live: 220-285 MB at 16 reads in flight. A soft limit makes it
// collect sooner instead: 173 MB at the same speed in one alternating run (docs/performance.md). A soft limit only:
// Go goes over it rather than fail.
const SERVER_GO_MEMORY_LIMIT = '128MiB';
// How long a stopped server may take to exit before the run goes on without waiting (it has been killed already).
const STOP_WAIT_MS = 10_000;
// Kopia's alphabet: leading I's (indirect), optional Z (compressed), optional g-z content prefix, hex digest.
const OBJECT_ID = /^I*Z?[g-z]?[0-9a-f]{32,128}$/;

export async function startKopiaServer(ctx: KopiaContext, signal?: AbortSignal): Promise<KopiaServer> {
  const username = `restore-${randomBytes(6).toString('hex')}`;
  const password = randomBytes(24).toString('base64url');
  const stopper = new AbortController();
  const onAbort = () => stopper.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  // The object API is part of the UI handlers (without --ui it answers 404); this build serves a stub UI page.
  // --shutdown-on-stdin (the flag KopiaUI uses for the same reason): the server ends when the pipe from the agent
  // closes, which the OS does when the agent dies, even by SIGKILL or a crash, so no server outlives its agent.
  const child = spawnKopia(ctx, ['server', 'start', '--insecure', '--address=127.0.0.1:0', `--server-username=${username}`,
    '--shutdown-grace-period=0s', '--no-grpc', '--no-control-api', '--shutdown-on-stdin'], stopper.signal, { KOPIA_SERVER_PASSWORD: password, GOMEMLIMIT: SERVER_GO_MEMORY_LIMIT }, 'pipe');
  const stop = async () => {
    signal?.removeEventListener('abort', onAbort);
    stopper.abort();
    // A killed server whose exit is never reported (seen under Wine right after it started) must not hold up the
    // run's finish; the agent's exit handler still ends any child left.
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => { timer = setTimeout(resolve, STOP_WAIT_MS); timer.unref(); });
    await Promise.race([child.catch(() => undefined), waited]);
    clearTimeout(timer);
  };
  try {
    const baseUrl = await waitForAddress(child.stderr, child);
    const auth = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
    return { baseUrl, readObject: (id, s, into) => readObject(baseUrl, auth, id, s, into), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitForAddress(stderr: NodeJS.ReadableStream | null, exited: Promise<unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new RestoreError('KOPIA_FAILED', 'kopia server did not start in time')), START_TIMEOUT_MS);
    stderr?.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /SERVER ADDRESS: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      const last = output.trim().split('\n').pop() ?? 'no output';
      reject(new RestoreError('KOPIA_FAILED', `kopia server exited: ${last}`));
    });
  });
}

const ATTEMPTS = 3;

// A storage hiccup behind the server (an S3 5xx, a reset connection) should not fail a 400 GB disk: retry a little.
async function readObject(baseUrl: string, auth: string, objectId: string, signal?: AbortSignal, into?: Buffer): Promise<Buffer> {
  // The id comes from repository data: keep it to kopia's alphabet so it cannot change the request path.
  if (!OBJECT_ID.test(objectId)) throw new RestoreError('KOPIA_FAILED', `Unexpected object id in the repository: ${objectId.slice(0, 80)}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await getObject(`${baseUrl}/api/v1/objects/${objectId}`, auth, objectId, signal, into);
    } catch (error) {
      if (signal?.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
      if (!(error instanceof RetryableError) || attempt >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
