// Real kopia repositories with a sample VM for tests: disks of deterministic random data with zero regions (sizes
// that are not multiples of any chunk size), one snapshot per disk per point the way the reference agent stores
// them (source agent@hyperv01:C:\VMs\<disk>, root = the whole file), changed between points.
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackupRepository, type BackupRepository, type RepositorySpec } from '../../sidecar/demo/kopia-repository.js';
import { passwordOfStorage, storageOfRepository, TEST_FILESYSTEM_PASSWORD } from './job-storage.js';

export { kopiaPath, SNAPSHOT_HOST, type RepositorySpec } from '../../sidecar/demo/kopia-repository.js';
/** A filesystem test repository's password (job-storage.ts: the one its job's recorded storage makes). */
export const TEST_PASSWORD = TEST_FILESYSTEM_PASSWORD;

/** A repository made by a "backup side" kopia config of its own (the agent under test connects separately). */
export interface TestRepository extends BackupRepository {
  cleanup(): Promise<void>;
}

/** Its password is `<bucket>:<access key>:<secret key>` of the storage a job records for it (job-storage.ts). */
export async function createTestRepository(storage?: Exclude<RepositorySpec, { type: 'filesystem' }>): Promise<TestRepository> {
  const dir = await mkdtemp(join(tmpdir(), 'hvr-kopia-'));
  const spec: RepositorySpec = storage ?? { type: 'filesystem', path: join(dir, 'repo') };
  const repo = await openBackupRepository(dir, spec, passwordOfStorage(storageOfRepository(spec)));
  return { ...repo, cleanup: () => rm(dir, { recursive: true, force: true }) };
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
