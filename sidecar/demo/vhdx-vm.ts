// A sample VM of real VHDX disks backed up the way the reference agent stores it: at each point the guest data
// changes (new writes, earlier data zeroed again), then every disk's whole .vhdx file becomes one kopia snapshot.
// The writes leave whole VHDX blocks never written, so a dynamic container holds unallocated blocks. Used by the
// VHDX restore tests (a Full + three Incrementals) and by `npm run demo` (a Full + two Incrementals).
import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createVhdx, writeGuest, type GuestWrite, type VhdxKind } from './vhdx.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const KiB = 1024;

export interface VhdxDiskSpec {
  name: string;
  kind: VhdxKind;
  /** Guest-visible size in bytes (a multiple of 512, the logical sector size). */
  virtualSize: number;
}

export interface VhdxPoint {
  /** disk name -> snapshot manifest id */
  manifests: Record<string, string>;
  /** disk name -> size of the .vhdx container file at that point */
  containerSizes: Record<string, number>;
  /** disk name -> a copy of the .vhdx file at that point (when copies were asked for) */
  copies: Record<string, string>;
}

export interface VhdxVm {
  disks: VhdxDiskSpec[];
  points: VhdxPoint[];
  /** Host path of a disk, as the reference records it (snapshot source and disk_manifests key). */
  hostPath(name: string): string;
}

/** Anything that stores a whole file as one snapshot and returns its manifest id. */
export interface FileSnapshotter {
  snapshotFile(file: string, sourcePath: string): Promise<string>;
}

/** The sample VM: a dynamic OS disk whose size is no multiple of the 8 MiB VHDX block, and a fixed data disk. */
export const SAMPLE_DISKS: readonly VhdxDiskSpec[] = [
  { name: 'web-01-os.vhdx', kind: 'dynamic', virtualSize: 64 * MiB + 7 * 512 },
  { name: 'data.vhdx', kind: 'fixed', virtualSize: 24 * MiB },
];

export const MAX_POINTS = 4;

/**
 * What the guest writes before point `point` (0 = the Full). Offsets are fractions of the disk so every disk gets
 * the same shape; the last writes touch the disk's very end (the partial last block of an odd-sized disk).
 */
export function guestWritesAt(size: number, point: number): GuestWrite[] {
  const at = (fraction: number) => Math.floor((size * fraction) / 512) * 512;
  const plans: GuestWrite[][] = [
    [{ offset: 0, length: 2 * MiB + 1536, pattern: 0x5a }, { offset: at(0.45), length: 3 * MiB, pattern: 0xa1 }, { offset: size - 96 * KiB, length: 96 * KiB, pattern: 0xc3 }],
    [{ offset: at(0.1), length: MiB, pattern: 0x11 }, { offset: at(0.45), length: MiB, pattern: 0 }, { offset: size - 32 * KiB, length: 16 * KiB, pattern: 0x12 }],
    [{ offset: at(0.3), length: 2 * MiB, pattern: 0x21 }, { offset: 512, length: 64 * KiB, pattern: 0 }, { offset: at(0.1) + 256 * KiB, length: 256 * KiB, pattern: 0x22 }],
    [{ offset: at(0.3) + 512 * KiB, length: MiB, pattern: 0 }, { offset: at(0.45) + 2 * MiB, length: 512 * KiB, pattern: 0x31 }, { offset: size - 4 * KiB, length: 4 * KiB, pattern: 0 }],
  ];
  const writes = plans[point];
  if (!writes) throw new Error(`the sample VM has at most ${MAX_POINTS} points`);
  return writes;
}

export interface BuildVhdxVmOptions {
  /** Where the live disks are made (they hold the newest point at the end). */
  workDir: string;
  pointCount: number;
  disks?: readonly VhdxDiskSpec[];
  hostPath?: (name: string) => string;
  /** When given, each point's disks are copied (sparse) to `<copiesDir>/p<N>/<name>`. */
  copiesDir?: string;
}

/** Makes the disks, then per point: apply that point's guest writes, copy if asked, snapshot each disk. */
export async function buildVhdxVm(repo: FileSnapshotter, options: BuildVhdxVmOptions): Promise<VhdxVm> {
  const disks = [...(options.disks ?? SAMPLE_DISKS)];
  const hostPath = options.hostPath ?? ((name: string) => `C:\\VMs\\${name}`);
  await mkdir(options.workDir, { recursive: true });
  const points: VhdxPoint[] = [];
  for (let p = 0; p < options.pointCount; p++) {
    const point: VhdxPoint = { manifests: {}, containerSizes: {}, copies: {} };
    for (const disk of disks) {
      const file = join(options.workDir, disk.name);
      if (p === 0) await createVhdx(file, disk.virtualSize, disk.kind);
      await writeGuest(file, guestWritesAt(disk.virtualSize, p));
      point.containerSizes[disk.name] = (await stat(file)).size;
      if (options.copiesDir) point.copies[disk.name] = await sparseCopy(file, join(options.copiesDir, `p${p}`, disk.name));
      point.manifests[disk.name] = await repo.snapshotFile(file, hostPath(disk.name));
    }
    points.push(point);
  }
  return { disks, points, hostPath };
}

async function sparseCopy(from: string, to: string): Promise<string> {
  await mkdir(join(to, '..'), { recursive: true });
  // cp keeps the holes of the source, so a kept copy costs what the guest data costs, not the container size.
  await run('cp', ['--sparse=always', from, to]);
  return to;
}
