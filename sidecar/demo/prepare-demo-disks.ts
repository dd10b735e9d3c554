// The demo's backed-up VM: two real VHDX disks (sidecar/demo/vhdx-vm.ts) in a real kopia filesystem repository
// under the demo folder, at a Full and two Incrementals, described in points.json for `demo-seed --points`.
// Idempotent: once points.json exists next to the repository, everything is reused as it is.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openBackupRepository } from './kopia-repository.js';
import type { DemoPointInput } from './seed-demo-client.js';
import { buildVhdxVm } from './vhdx-vm.js';

export const DEMO_POINT_COUNT = 3;
const HOST_FOLDER = 'C:\\Hyper-V\\web-01';

/** What demo-seed reads with --points. */
export interface DemoPointsFile {
  diskPaths: [string, string];
  diskSizes: [number, number];
  points: DemoPointInput[];
}

/**
 * The demo repository and the S3 identity the demo job records for it (a credential: mode 600). As with the backup
 * agent's repositories, the password is `<bucket>:<access key>:<secret key>`: the sidecar rebuilds it from the job.
 */
export interface DemoRepositoryFile {
  path: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  password: string;
}

function newDemoRepository(path: string): DemoRepositoryFile {
  const bucket = 'demo-hyperv-backups';
  const accessKeyId = `DEMO${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  return { path, bucket, accessKeyId, secretAccessKey, password: `${bucket}:${accessKeyId}:${secretAccessKey}` };
}

export function demoFiles(dir: string) {
  return {
    points: join(dir, 'points.json'),
    repository: join(dir, 'repository.json'),
    kopiaDir: join(dir, 'kopia'),
    disks: join(dir, 'disks'),
    copies: join(dir, 'points'),
  };
}

export function readRepositoryFile(file: string): DemoRepositoryFile | null {
  if (!existsSync(file)) return null;
  const known = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoRepositoryFile>;
  // A demo folder from before jobs carried their keys: its repository's password is not the job's, so it is made again.
  return known.accessKeyId && known.secretAccessKey && known.bucket ? (known as DemoRepositoryFile) : null;
}

/** Makes (or finds) the demo disks, repository and points; returns whether existing ones were reused. */
export async function prepareDemoDisks(dir: string): Promise<{ reused: boolean; pointsFile: string }> {
  const files = demoFiles(dir);
  const known = readRepositoryFile(files.repository);
  if (known && existsSync(files.points)) return { reused: true, pointsFile: files.points };
  await mkdir(dir, { recursive: true });
  const repository = known ?? newDemoRepository(join(files.kopiaDir, 'repository'));
  if (!known) {
    await rm(files.kopiaDir, { recursive: true, force: true });
    await writeFile(files.repository, JSON.stringify(repository, null, 2) + '\n', { mode: 0o600 });
  }
  // A run that stopped half-way may have left disks of an unknown point: start them again (the repository stays;
  // its stray snapshots are harmless, points.json names the ones in use).
  await rm(files.disks, { recursive: true, force: true });
  await rm(files.copies, { recursive: true, force: true });
  const repo = await openBackupRepository(files.kopiaDir, { type: 'filesystem', path: repository.path }, repository.password);
  const hostPath = (name: string) => `${HOST_FOLDER}\\${name}`;
  const vm = await buildVhdxVm(repo, { workDir: files.disks, pointCount: DEMO_POINT_COUNT, hostPath, copiesDir: files.copies });
  const content: DemoPointsFile = {
    diskPaths: vm.disks.map((d) => hostPath(d.name)) as [string, string],
    diskSizes: vm.disks.map((d) => d.virtualSize) as [number, number],
    points: vm.points.map((point, i) => ({
      backupType: i === 0 ? 'Full' : 'Incremental',
      diskManifests: Object.fromEntries(vm.disks.map((d) => [hostPath(d.name), point.manifests[d.name]!])),
      totalSizeBytes: Object.values(point.containerSizes).reduce((sum, size) => sum + size, 0),
    })),
  };
  await writeFile(files.points, JSON.stringify(content, null, 2) + '\n');
  return { reused: false, pointsFile: files.points };
}

/**
 * The demo agent's config: the seeded agent and `C:\` mapped to a folder under the demo. No repository: the sidecar
 * hands each command its job's, as on a real installation.
 */
export function demoAgentConfig(dir: string, seed: { agentId: number; agentToken: string }, sidecarUrl: string, kopiaPath: string) {
  return {
    sidecar_url: sidecarUrl, agent_id: seed.agentId, agent_token: seed.agentToken, kopia_path: kopiaPath,
    work_dir: join(dir, 'agent-work'), parallelism: 8, poll_interval_seconds: 1,
    path_map: { 'C:\\': join(dir, 'hyperv-host', 'C') }, log_level: 'info',
  };
}
