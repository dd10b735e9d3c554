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

/** The demo repository's connection, for the agent's config (a credential: mode 600). */
export interface DemoRepositoryFile {
  path: string;
  password: string;
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

function readRepositoryFile(file: string): DemoRepositoryFile | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoRepositoryFile) : null;
}

/** Makes (or finds) the demo disks, repository and points; returns whether existing ones were reused. */
export async function prepareDemoDisks(dir: string): Promise<{ reused: boolean; pointsFile: string }> {
  const files = demoFiles(dir);
  const known = readRepositoryFile(files.repository);
  if (known && existsSync(files.points)) return { reused: true, pointsFile: files.points };
  await mkdir(dir, { recursive: true });
  const repository = known ?? { path: join(files.kopiaDir, 'repository'), password: randomBytes(18).toString('base64url') };
  if (!known) await writeFile(files.repository, JSON.stringify(repository, null, 2) + '\n', { mode: 0o600 });
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

/** The demo agent's config: the seeded agent, the demo repository, `C:\` mapped to a folder under the demo. */
export function demoAgentConfig(dir: string, seed: { agentId: number; agentToken: string }, sidecarUrl: string, kopiaPath: string) {
  const repository = readRepositoryFile(demoFiles(dir).repository);
  if (!repository) throw new Error(`${demoFiles(dir).repository} is missing: prepare the demo disks first`);
  return {
    sidecar_url: sidecarUrl, agent_id: seed.agentId, agent_token: seed.agentToken, kopia_path: kopiaPath,
    work_dir: join(dir, 'agent-work'), repository: { type: 'filesystem', path: repository.path },
    repository_password: repository.password, parallelism: 8, poll_interval_seconds: 1,
    path_map: { 'C:\\': join(dir, 'hyperv-host', 'C') }, log_level: 'info',
  };
}
