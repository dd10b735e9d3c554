// Removes the Authenticode signature of a PE file (what `signtool remove /s` does): the certificate table at the
// end of the file goes, its data-directory entry and the header checksum become zero.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

const SECURITY_DIRECTORY = 4;

function readAt(fd: number, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  readSync(fd, b, 0, length, position);
  return b;
}

export function stripAuthenticode(file: string): boolean {
  const fd = openSync(file, 'r+');
  try {
    const peOffset = readAt(fd, 0x3c, 4).readUInt32LE(0);
    if (readAt(fd, peOffset, 4).toString('latin1') !== 'PE\0\0') throw new Error(`${file} is not a PE file`);
    const optional = peOffset + 24;
    const magic = readAt(fd, optional, 2).readUInt16LE(0);
    const directories = optional + (magic === 0x20b ? 112 : 96);
    const entry = directories + SECURITY_DIRECTORY * 8;
    const table = readAt(fd, entry, 8);
    const start = table.readUInt32LE(0);
    const size = table.readUInt32LE(4);
    if (size === 0) return false;
    if (start + size !== fstatSync(fd).size) throw new Error(`${file}: the certificate table is not at the end of the file`);
    writeSync(fd, Buffer.alloc(8), 0, 8, entry);
    writeSync(fd, Buffer.alloc(4), 0, 4, optional + 64);
    ftruncateSync(fd, start);
    return true;
  } finally {
    closeSync(fd);
  }
}
