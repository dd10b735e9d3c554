// A kopia repository on the "backup side" (what the reference agent writes): its own config file, cache and logs
// under one folder, one snapshot per disk file. Used by the demo (a persistent repository under ./demo) and the
// tests (throw-away ones); the agent under test or in the demo connects to it separately, read-only.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PROJECT_ROOT } from '../views/paths.js';

/** The host name in each snapshot's source (`agent@HOST:C:\...`), as the reference agent records it. */
export const SNAPSHOT_HOST = 'hyperv01';

let cachedKopia: string | null = null;

/** The pinned kopia: KOPIA_PATH, the shared cache, or whatever scripts/ensure-kopia.sh builds. */
export function kopiaPath(): string {
  if (cachedKopia) return cachedKopia;
  const cached = join(homedir(), '.cache/hyperv-restore/kopia-v0.22.3/kopia');
  if (process.env.KOPIA_PATH) cachedKopia = process.env.KOPIA_PATH;
  else if (existsSync(cached)) cachedKopia = cached;
  else cachedKopia = execFileSync('bash', [join(PROJECT_ROOT, 'scripts/ensure-kopia.sh')], { encoding: 'utf8' }).trim();
  return cachedKopia;
}

export type RepositorySpec =
  | { type: 'filesystem'; path: string }
  | { type: 's3'; endpoint: string; bucket: string; prefix: string; accessKeyId: string; secretAccessKey: string; region: string; disableTls: true };

export interface BackupRepository {
  dir: string;
  spec: RepositorySpec;
  password: string;
  kopia(args: string[]): Promise<string>;
  /** Snapshots one whole file as `sourcePath`; returns the snapshot manifest id. */
  snapshotFile(file: string, sourcePath: string): Promise<string>;
}

function storageArgs(spec: RepositorySpec): string[] {
  return spec.type === 'filesystem'
    ? ['filesystem', `--path=${spec.path}`]
    : ['s3', `--bucket=${spec.bucket}`, `--endpoint=${spec.endpoint}`, `--prefix=${spec.prefix}`, `--region=${spec.region}`, '--disable-tls'];
}

/**
 * Opens the repository whose backup-side config lives in `dir`: reuses that config when it exists, connects when
 * only the filesystem repository exists (an earlier run stopped half-way), creates the repository otherwise.
 */
export async function openBackupRepository(dir: string, spec: RepositorySpec, password: string): Promise<BackupRepository> {
  await mkdir(dir, { recursive: true });
  const configFile = join(dir, 'backup.config');
  // The password travels in the environment only, never on a command line (the process list shows those).
  const env: Record<string, string> = { HOME: dir, KOPIA_PASSWORD: password, KOPIA_CHECK_FOR_UPDATES: 'false', PATH: process.env.PATH ?? '' };
  if (spec.type === 's3') Object.assign(env, { AWS_ACCESS_KEY_ID: spec.accessKeyId, AWS_SECRET_ACCESS_KEY: spec.secretAccessKey });
  const kopia = async (args: string[]) => {
    const result = await execa(kopiaPath(), [...args, `--config-file=${configFile}`, `--log-dir=${join(dir, 'logs')}`],
      { env, extendEnv: false, reject: false });
    if (result.exitCode !== 0) throw new Error(`kopia ${args.slice(0, 3).join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  if (!existsSync(configFile)) {
    const existing = spec.type === 'filesystem' && existsSync(join(spec.path, 'kopia.repository.f'));
    await kopia(['repository', existing ? 'connect' : 'create', ...storageArgs(spec), `--cache-directory=${join(dir, 'cache')}`, '--no-persist-credentials']);
  }
  const snapshotFile = async (file: string, sourcePath: string) => {
    const out = await kopia(['snapshot', 'create', '--json', `--override-source=agent@${SNAPSHOT_HOST}:${sourcePath}`, file]);
    return (JSON.parse(out.trim().split('\n').pop() as string) as { id: string }).id;
  };
  return { dir, spec, password, kopia, snapshotFile };
}
