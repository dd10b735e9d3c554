// The kopia CLI, isolated: every call gets this session's own config file, cache and log folders, an environment
// built from an allowlist (HOME/XDG_* inside the work folder), and the repository password through KOPIA_PASSWORD,
// never argv (argv shows in the process list). Cancellation goes through execa's cancelSignal, so an aborted call
// leaves no kopia process behind.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { RestoreError, type RepositoryConnection } from './types.js';

export interface KopiaContext {
  kopiaPath: string;
  dir: string;
  configFile: string;
  env: Record<string, string>;
}

export interface SnapshotRootEntry {
  name: string;
  type: string;
  obj: string;
  size: number;
}

export interface SnapshotManifest {
  id: string;
  rootEntry: SnapshotRootEntry;
}

// Windows needs these to start any process; they carry no secrets.
const PASSED_THROUGH = ['SystemRoot', 'SYSTEMROOT', 'windir', 'TZ'];
const KILL_GRACE_MS = 500;

export async function createKopiaContext(kopiaPath: string, dir: string, password: string): Promise<KopiaContext> {
  for (const sub of ['home', 'cache', 'logs', 'config']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {
    HOME: join(dir, 'home'),
    USERPROFILE: join(dir, 'home'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    TMPDIR: join(dir, 'home'),
    KOPIA_PASSWORD: password,
    KOPIA_CHECK_FOR_UPDATES: 'false',
    KOPIA_PERSIST_CREDENTIALS_ON_CONNECT: 'false',
    KOPIA_LOG_DIR: join(dir, 'logs'),
  };
  for (const name of PASSED_THROUGH) if (process.env[name]) env[name] = process.env[name] as string;
  return { kopiaPath, dir, configFile: join(dir, 'config', 'repository.config'), env };
}

export function globalArgs(ctx: KopiaContext): string[] {
  return [`--config-file=${ctx.configFile}`, `--log-dir=${join(ctx.dir, 'logs')}`];
}

// Every kopia this process started and that still runs, so none outlives the agent (killKopiaChildren).
const running = new Set<ResultPromise>();

/** Ends every running kopia child at once; synchronous, so it also works from a process 'exit' handler. */
export function killKopiaChildren(): void {
  for (const child of running) child.kill('SIGKILL'); // TerminateProcess on Windows whatever the signal
}

/** Starts kopia with the session's isolation; the caller awaits or streams the result. `stdin: 'pipe'` keeps a pipe
 * from the agent open for the child's whole life (see kopia-server.ts). */
export function spawnKopia(ctx: KopiaContext, args: string[], signal?: AbortSignal, extraEnv: Record<string, string> = {},
  stdin: 'ignore' | 'pipe' = 'ignore'): ResultPromise {
  const child = execa(ctx.kopiaPath, [...args, ...globalArgs(ctx)], {
    env: { ...ctx.env, ...extraEnv },
    extendEnv: false,
    stdin,
    cancelSignal: signal,
    forceKillAfterDelay: KILL_GRACE_MS,
    reject: false,
    windowsHide: true,
  });
  running.add(child);
  void child.finally(() => running.delete(child));
  return child;
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n|\r/).map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? 'no output';
}

function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
}

export async function connectRepository(ctx: KopiaContext, repo: RepositoryConnection, signal?: AbortSignal): Promise<void> {
  const common = ['--readonly', '--no-persist-credentials', '--no-check-for-updates', `--cache-directory=${join(ctx.dir, 'cache', 'kopia')}`,
    // Chunks are read once per restore: a content cache would only copy the disk a second time onto the host.
    '--content-cache-size-mb=0'];
  let args: string[];
  let extraEnv: Record<string, string> = {};
  if (repo.type === 'filesystem') {
    args = ['repository', 'connect', 'filesystem', `--path=${repo.path}`, ...common];
  } else {
    args = ['repository', 'connect', 's3', `--bucket=${repo.bucket}`, `--endpoint=${repo.endpoint}`, ...common];
    if (repo.prefix) args.push(`--prefix=${repo.prefix}`);
    if (repo.region) args.push(`--region=${repo.region}`);
    if (repo.disableTls) args.push('--disable-tls');
    // The keys go through the environment kopia reads as the flags' defaults, not argv.
    extraEnv = { AWS_ACCESS_KEY_ID: repo.accessKeyId, AWS_SECRET_ACCESS_KEY: repo.secretAccessKey };
  }
  const result = await spawnKopia(ctx, args, signal, extraEnv);
  throwIfCancelled(signal);
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr);
    const reason = /invalid repository password/i.test(stderr) ? 'the repository password is wrong' : lastLine(stderr);
    throw new RestoreError('REPOSITORY_UNAVAILABLE', `Cannot open the backup repository: ${reason}`);
  }
}

/** The snapshot manifest, or null when the repository has no snapshot with that id. */
export async function readSnapshotManifest(ctx: KopiaContext, manifestId: string, signal?: AbortSignal): Promise<SnapshotManifest | null> {
  const result = await spawnKopia(ctx, ['manifest', 'show', manifestId], signal);
  throwIfCancelled(signal);
  const stderr = String(result.stderr);
  if (result.exitCode !== 0) {
    if (/not found/i.test(stderr)) return null;
    throw new RestoreError('KOPIA_FAILED', `Cannot read snapshot ${manifestId}: ${lastLine(stderr)}`);
  }
  return parseManifestShow(manifestId, String(result.stdout));
}

/** `kopia manifest show` prints `// label type:snapshot` comment lines, then the JSON payload. */
export function parseManifestShow(manifestId: string, stdout: string): SnapshotManifest | null {
  if (!/^\/\/ label type:snapshot$/m.test(stdout)) return null;
  const json = stdout.split('\n').filter((line) => !line.startsWith('//')).join('\n');
  const parsed = JSON.parse(json) as { rootEntry?: Partial<SnapshotRootEntry> };
  const root = parsed.rootEntry;
  if (!root || typeof root.obj !== 'string' || typeof root.name !== 'string' || typeof root.type !== 'string') return null;
  return { id: manifestId, rootEntry: { name: root.name, type: root.type, obj: root.obj, size: Number(root.size ?? 0) } };
}

/** Fallback: kopia's own sequential restore of `source` (manifest id or `dirObj/name`) into `targetFile`. */
export async function kopiaRestoreFile(ctx: KopiaContext, source: string, targetFile: string, signal: AbortSignal,
  onBytes?: (bytes: number) => void, extraFlags: readonly string[] = []): Promise<void> {
  const args = ['snapshot', 'restore', source, targetFile, '--mode=local', ...extraFlags, '--progress',
    '--overwrite-files', '--skip-owners', '--skip-permissions'];
  const child = spawnKopia(ctx, args, signal);
  child.stderr?.on('data', (data: Buffer) => {
    const bytes = parseRestoreProgress(data.toString());
    if (bytes !== null) onBytes?.(bytes);
  });
  const result = await child;
  throwIfCancelled(signal);
  if (result.exitCode !== 0) throw new RestoreError('KOPIA_FAILED', `kopia restore failed: ${lastLine(String(result.stderr))}`);
}

const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** The byte count of the newest `Processed N (1.2 GB) of ...` progress line in a stderr piece, if any. */
export function parseRestoreProgress(text: string): number | null {
  const matches = [...text.matchAll(/Processed \d+ \(([\d.]+) ([KMGT]i?B|B)\)/g)];
  const last = matches[matches.length - 1];
  if (!last) return null;
  return Math.round(Number(last[1]) * (UNITS[last[2]] ?? 1));
}
