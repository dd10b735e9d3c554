// The Windows write order (agent/engine/ordered-writer.ts) against a recording file: reads still run many at a
// time, but every byte is written once, in ascending offset order, zero chunks from the shared zero buffer without
// a fetch, with the bytes held in memory bounded, and a long zero run shows progress and stops on cancel.
import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import type { Chunk } from '../../agent/engine/chunk-map.js';
import { writeChunksInOrder, ZERO_PIECE } from '../../agent/engine/ordered-writer.js';
import { isAllZero } from '../../agent/engine/parallel-writer.js';
import { RestoreError } from '../../agent/engine/types.js';

const MiB = 1024 * 1024;

interface Write { position: number; length: number; zero: boolean }

/** Records each write (where, how long, all zeros or not) and keeps the file's bytes to compare at the end. */
function recordingFile(size: number, writeDelayMs = 0, keepBytes = true) {
  const bytes = Buffer.alloc(keepBytes ? size : 0, 0xee); // not zero: a range never written shows
  const writes: Write[] = [];
  const file = {
    write: async (buffer: Buffer, offset: number, length: number, position: number) => {
      if (writeDelayMs) await new Promise((r) => setTimeout(r, writeDelayMs));
      const piece = buffer.subarray(offset, offset + length);
      if (keepBytes) piece.copy(bytes, position);
      writes.push({ position, length, zero: isAllZero(piece) });
      return { bytesWritten: length, buffer };
    },
    datasync: async () => undefined,
  };
  return { file: file as unknown as FileHandle, writes, bytes };
}

/** A disk of `layout` chunks: 'd' = its own data object, 'z' = the shared zero object, 'r' = a repeat of chunk 0. */
function disk(layout: string, chunkSize: number) {
  const objects = new Map<string, Buffer>();
  const chunks: Chunk[] = [];
  const expected = Buffer.alloc(layout.length * chunkSize);
  [...layout].forEach((kind, i) => {
    const objectId = kind === 'z' ? 'zero' : kind === 'r' ? 'data0' : `data${i}`;
    if (!objects.has(objectId)) objects.set(objectId, objectId === 'zero' ? Buffer.alloc(chunkSize) : Buffer.alloc(chunkSize, (i % 250) + 1));
    objects.get(objectId)!.copy(expected, i * chunkSize);
    chunks.push({ offset: i * chunkSize, length: chunkSize, objectId });
  });
  return { chunks, objects, expected };
}

/** A reader that answers after a random delay (so reads finish out of order) and records what it was asked. */
function slowReader(objects: Map<string, Buffer>, maxDelayMs = 15) {
  const asked: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const read = async (objectId: string, signal: AbortSignal, into: Buffer) => {
    asked.push(objectId);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    try {
      await new Promise((r) => setTimeout(r, Math.random() * maxDelayMs));
      if (signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
      objects.get(objectId)!.copy(into);
      return into;
    } finally {
      running -= 1;
    }
  };
  return { read, asked, mostAtOnce: () => mostAtOnce };
}

describe('Windows write order (ordered writer)', function () {
  it('Can write every byte once in ascending order while reads run in parallel and finish out of order', async () => {
    const { chunks, objects, expected } = disk('ddzdzzdddrdzd', 64 * 1024);
    const { file, writes, bytes } = recordingFile(expected.length);
    const reader = slowReader(objects);
    const result = await writeChunksInOrder({ chunks, file, parallelism: 4, read: reader.read, signal: new AbortController().signal, knownZero: new Set(['zero']) });
    assert.ok(bytes.equals(expected), 'the file holds the disk');
    let next = 0;
    for (const write of writes) {
      assert.equal(write.position, next, 'each write starts where the previous one ended');
      next += write.length;
    }
    assert.equal(next, expected.length);
    assert.equal(result.bytesWritten, expected.length);
    assert.ok(reader.mostAtOnce() > 1, `reads ran ${reader.mostAtOnce()} at a time`);
    assert.ok(!reader.asked.includes('zero'), 'a known zero chunk is never fetched');
    assert.equal(result.chunksSkippedZero, 4);
  });

  it('Can write a zero run from the shared zero buffer in pieces, with progress between them', async () => {
    const chunkSize = 3 * ZERO_PIECE + 12_345;
    const { chunks, objects, expected } = disk('dzzd', chunkSize);
    const { file, writes, bytes } = recordingFile(expected.length);
    const progress: number[] = [];
    await writeChunksInOrder({ chunks, file, parallelism: 2, read: slowReader(objects).read, signal: new AbortController().signal,
      knownZero: new Set(['zero']), onBytes: (n) => progress.push(n), maxBytesInFlight: 64 * MiB });
    assert.ok(bytes.equals(expected));
    const zeroWrites = writes.filter((w) => w.position >= chunkSize && w.position < 3 * chunkSize);
    assert.ok(zeroWrites.every((w) => w.zero && w.length <= ZERO_PIECE), 'zero chunks are written as zero pieces');
    assert.equal(zeroWrites.length, 2 * 4);
    const during = progress.filter((n) => n > chunkSize && n < 3 * chunkSize);
    assert.ok(during.length >= 6, `progress inside the zero run: ${during.length} reports`);
  });

  it('Can keep the chunk bytes held in memory within the budget however far the reads could run ahead', async () => {
    const chunkSize = MiB;
    const { chunks, objects, expected } = disk('d'.repeat(40), chunkSize);
    const { file, bytes } = recordingFile(expected.length, 3); // a slow disk: reads would pile up without the budget
    const reader = slowReader(objects, 2);
    const result = await writeChunksInOrder({ chunks, file, parallelism: 16, read: reader.read, signal: new AbortController().signal, maxBytesInFlight: 4 * MiB });
    assert.ok(bytes.equals(expected));
    assert.equal(result.chunksFetched, 40);
    // 16 reads are allowed, but only 4 MiB of 1 MiB chunks may be held (read or waiting to be written) at once.
    assert.ok(reader.mostAtOnce() <= 4 && reader.mostAtOnce() >= 2, `saw ${reader.mostAtOnce()} reads at once`);
  });

  it('Cannot go on after a cancel during a long zero run: it stops within a piece and says CANCELLED', async () => {
    const chunkSize = 64 * ZERO_PIECE;
    const { chunks, objects } = disk('dz', chunkSize);
    const { file, writes } = recordingFile(2 * chunkSize, 1, false);
    const cancel = new AbortController();
    const written = writeChunksInOrder({ chunks, file, parallelism: 2, read: slowReader(objects).read, signal: cancel.signal, knownZero: new Set(['zero']),
      onBytes: (n) => { if (n >= chunkSize + 3 * ZERO_PIECE) cancel.abort(); } });
    await assert.rejects(written, (e: unknown) => e instanceof RestoreError && e.code === 'CANCELLED');
    const zeroWrites = writes.filter((w) => w.position >= chunkSize).length;
    assert.ok(zeroWrites <= 4, `${zeroWrites} zero pieces written after the cancel point`);
  });

  it('Rejects with the read error of a chunk and writes nothing past it', async () => {
    const { chunks, objects } = disk('dddddd', 64 * 1024);
    const { file, writes } = recordingFile(6 * 64 * 1024);
    const reader = slowReader(objects, 2);
    const read = async (objectId: string, signal: AbortSignal, into: Buffer) => {
      if (objectId === 'data3') throw new RestoreError('KOPIA_FAILED', 'Reading object data3 failed: HTTP 500');
      return reader.read(objectId, signal, into);
    };
    await assert.rejects(writeChunksInOrder({ chunks, file, parallelism: 3, read, signal: new AbortController().signal }),
      (e: unknown) => e instanceof RestoreError && e.message === 'Reading object data3 failed: HTTP 500');
    assert.ok(writes.every((w) => w.position < 3 * 64 * 1024), 'nothing at or after the failed chunk was written');
  });
});
