// The `.partial` file a disk is restored into: created exclusively (never someone else's file), its attributes put
// right by the platform while it is empty, sized, then checked, fsynced and moved to the final name without ever
// replacing an existing file; deleted on any failure. Links, renames and deletes go through the platform's retry
// (on Windows an antivirus scan may hold the file for a moment).
import { constants } from 'node:fs';
import { link, open, rename, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatBytes } from '../../sidecar/lib/format-bytes.js';
import type { AgentPlatform, FolderFacts } from '../platform/platform.js';
import { RestoreError } from './types.js';

export const partialPath = (targetFile: string) => `${targetFile}.partial`;

const exists = async (path: string) => stat(path).then(() => true, () => false);

export async function assertTargetFree(targetFile: string): Promise<void> {
  if (await exists(targetFile)) throw new RestoreError('TARGET_EXISTS', `${targetFile} already exists and is never overwritten`);
  if (await exists(partialPath(targetFile))) {
    throw new RestoreError('TARGET_EXISTS', `${partialPath(targetFile)} exists: another restore is writing it or an earlier one was interrupted (delete it to retry)`);
  }
}

/** Free space on the target's volume, checked before anything is written. */
export async function assertFreeSpace(targetFile: string, bytesNeeded: number): Promise<void> {
  const folder = dirname(targetFile);
  const info = await statfs(folder).catch(() => {
    throw new RestoreError('TARGET_UNAVAILABLE', `Target folder ${folder} does not exist or cannot be read`);
  });
  const free = Number(info.bavail) * Number(info.bsize);
  if (free < bytesNeeded) {
    throw new RestoreError('INSUFFICIENT_SPACE', `Not enough free space in ${folder}: ${formatBytes(bytesNeeded)} needed, ${formatBytes(free)} free`);
  }
}

/** Creates the empty `.partial`, lets the platform fix its attributes while it is still empty, then sizes it. */
export async function createPartial(targetFile: string, size: number, platform: AgentPlatform, folder: FolderFacts): Promise<FileHandle> {
  const path = partialPath(targetFile);
  const file = await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new RestoreError('TARGET_EXISTS', `${path} already exists`);
    throw error;
  });
  try {
    // Never a sparse flag: on Windows Hyper-V refuses sparse disk files; on Linux holes need no flag.
    await platform.prepareEmptyFile(path, folder);
    await file.truncate(size);
  } catch (error) {
    await file.close();
    await platform.retryWhileLocked(`delete ${path}`, () => unlink(path)).catch(() => undefined);
    throw error;
  }
  return file;
}

/**
 * Size check, fsync, the platform's last attribute check, then a no-clobber move to the final name. Returns a
 * warning when the disk is in place but its `.partial` name could not be removed.
 */
export async function finishPartial(targetFile: string, expectedSize: number, platform: AgentPlatform, folder: FolderFacts): Promise<string | null> {
  const partial = partialPath(targetFile);
  const file = await open(partial, 'r+');
  try {
    const { size } = await file.stat();
    if (size !== expectedSize) throw new RestoreError('SIZE_MISMATCH', `Restored ${size} bytes, the snapshot holds ${expectedSize}`);
    await file.sync();
  } finally {
    await file.close();
  }
  await platform.checkBeforeMove(partial, folder);
  return moveNoClobber(partial, targetFile, platform);
}

async function moveNoClobber(from: string, to: string, platform: AgentPlatform): Promise<string | null> {
  const appeared = () => new RestoreError('TARGET_EXISTS', `${to} appeared during the restore and was left untouched`);
  try {
    // link() fails with EEXIST instead of replacing, unlike rename().
    await platform.retryWhileLocked(`move ${from} into place`, () => link(from, to));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw appeared();
    // File systems without hard links (older ReFS, FAT, some shares): check, then rename (a narrow window).
    if (await exists(to)) throw appeared();
    await platform.retryWhileLocked(`move ${from} into place`, () => rename(from, to));
    return null;
  }
  // The disk is in place under its final name; the temporary second name only has to go.
  return platform.retryWhileLocked(`delete ${from}`, () => unlink(from)).then(
    () => null,
    () => `The disk is in place, but its temporary name ${from} could not be removed; delete it by hand`,
  );
}

export async function removePartial(targetFile: string, platform: AgentPlatform): Promise<void> {
  await platform.retryWhileLocked(`delete ${partialPath(targetFile)}`, () => unlink(partialPath(targetFile))).catch(() => undefined);
}
