// A real local S3 server (versitygw, posix backend) on a free loopback port, with a bucket created through the S3
// API (kopia never creates buckets). Stopped and its folder removed by stop().
import { createHash, createHmac } from 'node:crypto';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RepositorySpec } from '../../sidecar/demo/kopia-repository.js';
import { projectPath } from './paths.js';

const execFileAsync = promisify(execFile);

export interface VersityGw {
  endpoint: string; // host:port
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  createBucket(name: string): Promise<void>;
  /** A user of its own (role user: it sees only its buckets) owning a new bucket; needs startVersityGw({ users: true }). */
  createUserBucket(accessKeyId: string, secretAccessKey: string, bucket: string): Promise<void>;
  /** Ends the server; `abrupt` kills it at once (an outage) instead of letting it finish what is in flight. */
  stop(options?: { abrupt?: boolean }): Promise<void>;
}

/** The kopia S3 connection for a bucket and prefix on this server (plain HTTP on loopback). */
export function s3RepositoryOn(gw: VersityGw, bucket: string, prefix: string): Exclude<RepositorySpec, { type: 'filesystem' }> {
  return {
    type: 's3', endpoint: gw.endpoint, bucket, prefix, accessKeyId: gw.accessKeyId,
    secretAccessKey: gw.secretAccessKey, region: gw.region, disableTls: true,
  };
}

export function versitygwPath(): string {
  const cached = join(homedir(), '.cache/hyperv-restore/versitygw-v1.7.0/versitygw');
  if (process.env.VERSITYGW_PATH) return process.env.VERSITYGW_PATH;
  if (existsSync(cached)) return cached;
  return execFileSync('bash', [projectPath('scripts/ensure-versitygw.sh')], { encoding: 'utf8' }).trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `users`: runs versitygw's internal IAM, so buckets of different users (keys) can be made with createUserBucket. */
export async function startVersityGw(options: { users?: boolean } = {}): Promise<VersityGw> {
  const dir = await mkdtemp(join(tmpdir(), 'hvr-s3-'));
  await mkdir(join(dir, 'meta'));
  await mkdir(join(dir, 'data'));
  if (options.users) await mkdir(join(dir, 'iam'));
  const port = await freePort();
  const gw = { endpoint: `127.0.0.1:${port}`, accessKeyId: 'hvrtestaccess', secretAccessKey: 'hvrtestsecret-0123456789', region: 'us-east-1' };
  const iam = options.users ? ['--iam-dir', join(dir, 'iam')] : [];
  const child = spawn(versitygwPath(), ['--access', gw.accessKeyId, '--secret', gw.secretAccessKey, '--port', gw.endpoint, ...iam,
    'posix', '--sidecar', join(dir, 'meta'), join(dir, 'data')], { stdio: ['ignore', 'ignore', 'pipe'] });
  // If the test process dies first, the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const stop = async (options: { abrupt?: boolean } = {}) => {
    process.removeListener('exit', killOnExit);
    await stopChild(child, options.abrupt ? 0 : 3000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`http://${gw.endpoint}/`, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  const admin = (...args: string[]) => execFileAsync(versitygwPath(), ['admin', '--access', gw.accessKeyId, '--secret', gw.secretAccessKey,
    '--endpoint-url', `http://${gw.endpoint}`, ...args]);
  const createUserBucket = async (accessKeyId: string, secretAccessKey: string, bucket: string) => {
    await admin('create-user', '--access', accessKeyId, '--secret', secretAccessKey, '--role', 'user');
    await admin('create-bucket', '--owner', accessKeyId, '--bucket', bucket);
  };
  return { ...gw, createBucket: (name) => s3Request(gw, 'PUT', `/${name}`), createUserBucket, stop };
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`versitygw exited: ${output()}`);
    const ok = await fetch(url).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`versitygw did not start: ${output()}`);
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  });
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** One AWS Signature V4 signed request with an empty body (enough for CreateBucket). */
export async function s3Request(gw: Pick<VersityGw, 'endpoint' | 'accessKeyId' | 'secretAccessKey' | 'region'>, method: string, path: string): Promise<void> {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256Hex('');
  const headers: Record<string, string> = { host: gw.endpoint, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const names = Object.keys(headers).sort();
  const canonical = [method, path, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), payloadHash].join('\n');
  const scope = `${day}/${gw.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${gw.secretAccessKey}`, day);
  for (const part of [gw.region, 's3', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${gw.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  // node:http rather than fetch: fetch may not send a caller-set Host header, and the signature covers it.
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`http://${gw.endpoint}${path}`, { method, headers: { ...headers, authorization } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
  if (status < 200 || status >= 300) throw new Error(`S3 ${method} ${path} failed: HTTP ${status} ${body}`);
}
