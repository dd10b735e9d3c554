// The `.partial` file a disk is restored into: created exclusively (never someone else's file), sized, then
// checked, fsynced and moved to the final name without ever replacing an existing file; deleted on any failure.
import { constants } from 'node:fs';
import { link, open, rename, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { formatBytes } from '../../sidecar/lib/format-bytes.js';
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

export async function createPartial(targetFile: string, size: number): Promise<FileHandle> {
  const file = await open(partialPath(targetFile), constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new RestoreError('TARGET_EXISTS', `${partialPath(targetFile)} already exists`);
    throw error;
  });
  try {
    await markSparse(partialPath(targetFile));
    await file.truncate(size);
  } catch (error) {
    await file.close();
    await unlink(partialPath(targetFile)).catch(() => undefined);
    throw error;
  }
  return file;
}

// NTFS/ReFS files are only sparse when flagged; unwritten ranges of an unflagged file take real space. Linux file
// systems leave unwritten ranges as holes by themselves.
async function markSparse(path: string): Promise<void> {
  if (process.platform !== 'win32') return;
  await execa('fsutil', ['sparse', 'setflag', path], { reject: false, windowsHide: true });
}

/** Size check, fsync, then a no-clobber move to the final name. */
export async function finishPartial(targetFile: string, expectedSize: number): Promise<void> {
  const partial = partialPath(targetFile);
  const file = await open(partial, 'r+');
  try {
    const { size } = await file.stat();
    if (size !== expectedSize) throw new RestoreError('SIZE_MISMATCH', `Restored ${size} bytes, the snapshot holds ${expectedSize}`);
    await file.sync();
  } finally {
    await file.close();
  }
  await moveNoClobber(partial, targetFile);
}

async function moveNoClobber(from: string, to: string): Promise<void> {
  try {
    // link() fails with EEXIST instead of replacing, unlike rename().
    await link(from, to);
    await unlink(from);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new RestoreError('TARGET_EXISTS', `${to} appeared during the restore and was left untouched`);
    // File systems without hard links (older ReFS, FAT, some shares): check, then rename (a narrow window).
    if (await exists(to)) throw new RestoreError('TARGET_EXISTS', `${to} appeared during the restore and was left untouched`);
    await rename(from, to);
  }
}

export async function removePartial(targetFile: string): Promise<void> {
  await unlink(partialPath(targetFile)).catch(() => undefined);
}
