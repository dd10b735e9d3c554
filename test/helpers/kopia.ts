// Real kopia repositories with a sample VM for tests: disks of deterministic random data with zero regions (sizes
// that are not multiples of any chunk size), one snapshot per disk per point the way the reference agent stores
// them (source agent@hyperv01:C:\VMs\<disk>, root = the whole file), changed between points.
import { createCipheriv, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectPath } from './paths.js';

export const TEST_PASSWORD = 'test-repository-password';
export const SNAPSHOT_HOST = 'hyperv01';

let cachedKopia: string | null = null;

/** The pinned kopia: KOPIA_PATH, the shared cache, or whatever scripts/ensure-kopia.sh builds. */
export function kopiaPath(): string {
  if (cachedKopia) return cachedKopia;
  const cached = join(homedir(), '.cache/hyperv-restore/kopia-v0.22.3/kopia');
  if (process.env.KOPIA_PATH) cachedKopia = process.env.KOPIA_PATH;
  else if (existsSync(cached)) cachedKopia = cached;
  else cachedKopia = execFileSync('bash', [projectPath('scripts/ensure-kopia.sh')], { encoding: 'utf8' }).trim();
  return cachedKopia;
}

export type RepositorySpec =
  | { type: 'filesystem'; path: string }
  | { type: 's3'; endpoint: string; bucket: string; prefix: string; accessKeyId: string; secretAccessKey: string; region: string; disableTls: true };

/** A repository made by a "backup side" kopia config of its own (the agent under test connects separately). */
export interface TestRepository {
  dir: string;
  spec: RepositorySpec;
  password: string;
  kopia(args: string[]): Promise<string>;
  snapshotFile(file: string, sourcePath: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createTestRepository(storage?: Exclude<RepositorySpec, { type: 'filesystem' }>): Promise<TestRepository> {
  const dir = await mkdtemp(join(tmpdir(), 'hvr-kopia-'));
  const spec: RepositorySpec = storage ?? { type: 'filesystem', path: join(dir, 'repo') };
  const env: Record<string, string> = {
    HOME: dir, KOPIA_PASSWORD: TEST_PASSWORD, KOPIA_CHECK_FOR_UPDATES: 'false', PATH: process.env.PATH ?? '',
  };
  if (spec.type === 's3') Object.assign(env, { AWS_ACCESS_KEY_ID: spec.accessKeyId, AWS_SECRET_ACCESS_KEY: spec.secretAccessKey });
  const kopia = async (args: string[]) => {
    const result = await execa(kopiaPath(), [...args, `--config-file=${join(dir, 'backup.config')}`, `--log-dir=${join(dir, 'logs')}`],
      { env, extendEnv: false, reject: false });
    if (result.exitCode !== 0) throw new Error(`kopia ${args.slice(0, 3).join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const storageArgs = spec.type === 'filesystem'
    ? ['filesystem', `--path=${spec.path}`]
    : ['s3', `--bucket=${spec.bucket}`, `--endpoint=${spec.endpoint}`, `--prefix=${spec.prefix}`, `--region=${spec.region}`, '--disable-tls'];
  await kopia(['repository', 'create', ...storageArgs, `--cache-directory=${join(dir, 'cache')}`, '--no-persist-credentials']);
  const snapshotFile = async (file: string, sourcePath: string) => {
    const out = await kopia(['snapshot', 'create', '--json', `--override-source=agent@${SNAPSHOT_HOST}:${sourcePath}`, file]);
    return (JSON.parse(out.trim().split('\n').pop() as string) as { id: string }).id;
  };
  return { dir, spec, password: TEST_PASSWORD, kopia, snapshotFile, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Deterministic pseudo-random bytes (AES-CTR keystream of a seed): fast and repeatable. */
export function seededBytes(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return cipher.update(Buffer.alloc(length));
}

export interface DiskLayout {
  name: string;
  size: number;
  /** [offset, length] regions left as zeros at the first point. */
  zeroRegions: Array<[number, number]>;
}

const MiB = 1024 * 1024;

/** A disk of `sizeMiB` MiB plus an odd tail, about 40% zeros in multi-MiB regions. */
export function diskLayout(name: string, sizeMiB: number, oddBytes = 12_345): DiskLayout {
  const size = sizeMiB * MiB + oddBytes;
  const zeroRegions: Array<[number, number]> = [];
  for (let at = 3 * MiB + 777; at + 6 * MiB < size; at += 15 * MiB) zeroRegions.push([at, Math.min(6 * MiB + 4321, size - at)]);
  return { name, size, zeroRegions };
}

export async function writeDisk(path: string, layout: DiskLayout, seed: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.truncate(layout.size);
    for (let at = 0; at < layout.size; at += 4 * MiB) {
      const length = Math.min(4 * MiB, layout.size - at);
      await file.write(seededBytes(`${seed}:${at}`, length), 0, length, at);
    }
    for (const [offset, length] of layout.zeroRegions) await file.write(Buffer.alloc(length), 0, length, offset);
  } finally {
    await file.close();
  }
}

/** Changes a disk between points: a few random writes, one data region zeroed, one zero region filled. */
export async function mutateDisk(path: string, layout: DiskLayout, seed: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const pick = (i: number, span: number) => seededBytes(`${seed}:pick:${i}`, 6).readUIntBE(0, 6) % Math.max(1, layout.size - span);
    for (let i = 0; i < 4; i++) {
      const length = 64 * 1024 + 1000 * i;
      await file.write(seededBytes(`${seed}:w${i}`, length), 0, length, pick(i, length));
    }
    await file.write(Buffer.alloc(3 * MiB), 0, 3 * MiB, Math.min(pick(9, 3 * MiB), layout.size - 3 * MiB));
    const [zeroAt] = layout.zeroRegions[0] ?? [0];
    await file.write(seededBytes(`${seed}:fill`, MiB), 0, MiB, zeroAt + MiB);
  } finally {
    await file.close();
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface SamplePoint {
  /** disk file name -> snapshot manifest id */
  manifests: Record<string, string>;
  /** disk file name -> SHA-256 of the file at that point */
  sha256: Record<string, string>;
}

export interface SampleVm {
  disks: DiskLayout[];
  points: SamplePoint[];
  /** Host path of a disk, as the reference records it (source path and disk_manifests key). */
  hostPath(name: string): string;
}

/** Backs up a VM of the given disks at `pointCount` points, changing every disk between points. */
export async function buildSampleVm(repo: TestRepository, disks: DiskLayout[], pointCount = 3): Promise<SampleVm> {
  const work = join(repo.dir, 'disks');
  await mkdir(work, { recursive: true });
  const hostPath = (name: string) => `C:\\VMs\\${name}`;
  const points: SamplePoint[] = [];
  for (let p = 0; p < pointCount; p++) {
    const point: SamplePoint = { manifests: {}, sha256: {} };
    for (const disk of disks) {
      const file = join(work, disk.name);
      if (p === 0) await writeDisk(file, disk, `${disk.name}:base`);
      else await mutateDisk(file, disk, `${disk.name}:p${p}`);
      point.sha256[disk.name] = await sha256File(file);
      point.manifests[disk.name] = await repo.snapshotFile(file, hostPath(disk.name));
    }
    points.push(point);
  }
  return { disks, points, hostPath };
}
