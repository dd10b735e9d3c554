// How much of a file holds data: what the file system allocated, and what the content needs (non-zero 4 KiB blocks).
import { open, stat } from 'node:fs/promises';

const BLOCK = 4096;

/** Bytes the file system allocated for the file (st_blocks counts 512-byte units). */
export async function allocatedBytes(file: string): Promise<number> {
  return (await stat(file)).blocks * 512;
}

/** Bytes in 4 KiB blocks (aligned to the file start) that hold anything but zeros: what a sparse copy must store. */
export async function nonZeroBlockBytes(file: string): Promise<number> {
  const handle = await open(file, 'r');
  const buffer = Buffer.alloc(4 * 1024 * 1024);
  const zero = Buffer.alloc(BLOCK);
  let total = 0;
  try {
    for (let position = 0; ;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      for (let at = 0; at < bytesRead; at += BLOCK) {
        const end = Math.min(bytesRead, at + BLOCK);
        if (!buffer.subarray(at, end).equals(zero.subarray(0, end - at))) total += end - at;
      }
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return total;
}
