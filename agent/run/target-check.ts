// The run's checks of its target before anything is fetched: no disk's file (or an unfinished `.partial`) is
// already there, and the volume has room for every selected disk together. Each problem is one sentence that
// names the customer's Windows path, never the folder this host maps it to.
import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatBytes } from '../../sidecar/lib/format-bytes.js';
import { partialPath } from '../engine/partial-file.js';
import type { RepositorySession } from '../engine/types.js';

export interface TargetFile {
  /** Where this host writes the disk. */
  hostFile: string;
  /** The same file as the customer names it (C:\Restores\web-01\disk.vhdx). */
  shownFile: string;
}

/** Bytes the volume must have free for one disk of this size; the engine's own rule (full size where no holes). */
export type SpaceNeeded = (diskBytes: number) => number;
export const fullSize: SpaceNeeded = (diskBytes) => diskBytes;

const exists = (path: string) => stat(path).then(() => true, () => false);

/** One sentence per disk whose file or unfinished `.partial` is already in the folder. */
export async function existingTargetProblems(files: readonly TargetFile[]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of files) {
    if (await exists(file.hostFile)) problems.push(`${file.shownFile} already exists; choose another folder`);
    else if (await exists(partialPath(file.hostFile))) {
      problems.push(`${file.shownFile}.partial is left from an unfinished restore (or one is writing it now); choose another folder or delete that file`);
    }
  }
  return problems;
}

/** The folder itself, or the nearest one above it that exists: where the disks' space will come from. */
async function nearestExisting(folder: string): Promise<string> {
  let current = folder;
  while (!(await exists(current))) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

export async function freeBytes(folder: string): Promise<number | null> {
  const info = await statfs(await nearestExisting(folder)).catch(() => null);
  return info ? Number(info.bavail) * Number(info.bsize) : null;
}

/** The sentence for a volume without room for all disks, or null (also when the free space cannot be read). */
export async function spaceProblem(hostFolder: string, shownFolder: string, diskBytes: readonly number[], needed: SpaceNeeded = fullSize,
  free: (folder: string) => Promise<number | null> = freeBytes): Promise<string | null> {
  const total = diskBytes.reduce((sum, bytes) => sum + needed(bytes), 0);
  const available = await free(hostFolder);
  if (available === null || available >= total) return null;
  const disks = diskBytes.length === 1 ? 'the disk needs' : `the ${diskBytes.length} disks need`;
  return `${shownFolder} has ${formatBytes(available)} free but ${disks} ${formatBytes(total)}; choose another folder or free up space`;
}

/** A disk still to be written, by its snapshot: its size comes from the snapshot's metadata. */
export interface SnapshotDisk {
  manifestId: string;
  expectedFileName: string;
}

/** spaceProblem for the disks' sizes as their snapshots record them, before any of their data is read. */
export async function snapshotSpaceProblem(session: Pick<RepositorySession, 'diskSize'>, disks: readonly SnapshotDisk[],
  folder: { hostFolder: string; shownFolder: string }, needed: SpaceNeeded, signal: AbortSignal,
  onSize?: (index: number, bytes: number) => void): Promise<string | null> {
  const sizes: number[] = [];
  for (const [index, disk] of disks.entries()) {
    // A disk whose snapshot cannot be read fails on its own turn, with its own message; it needs no space.
    const size = await session.diskSize(disk.manifestId, disk.expectedFileName, signal).catch(() => null);
    if (size === null) continue;
    sizes.push(size);
    onSize?.(index, size);
  }
  return sizes.length ? spaceProblem(folder.hostFolder, folder.shownFolder, sizes, needed) : null;
}
