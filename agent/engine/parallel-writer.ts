// Fetches chunk objects through a bounded work queue (N reads in flight, never the whole file in memory) and writes
// each at its offsets with positional writes. An object seen to be all zeros is neither fetched again nor written,
// and 4 KiB-aligned zero runs inside fetched chunks are skipped too, so the output stays sparse.
import { setMaxListeners } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import { ChunkArena } from './chunk-arena.js';
import { groupByObject, type Chunk } from './chunk-map.js';
import { createReadGate } from './read-gate.js';
import { RestoreError } from './types.js';
import { WriteBehind } from './write-behind.js';

export interface ParallelWriteOptions {
  chunks: Chunk[];
  file: FileHandle;
  /** Most reads in flight; with `adaptiveParallelism` the ceiling of the measured limit (read-concurrency.ts). */
  parallelism: number;
  /** Default true: find the number of reads in flight by measured throughput, up to `parallelism`. */
  adaptiveParallelism?: boolean;
  /** Reads the object into `into` (exactly its size) and returns it. */
  read(objectId: string, signal: AbortSignal, into: Buffer): Promise<Buffer>;
  signal: AbortSignal;
  /** Object ids already known to be all zeros (e.g. probed before the free-space check). */
  knownZero?: Set<string>;
  onBytes?(bytesDone: number): void;
  /** Most chunk bytes held in memory at once (default 64 MiB); one chunk always fits. */
  maxBytesInFlight?: number;
  /** Bytes written between two background flushes (default 64 MiB; see write-behind.ts). */
  flushEveryBytes?: number;
}

export interface ParallelWriteResult {
  bytesWritten: number;
  chunksFetched: number;
  chunksSkippedZero: number;
  /** Each limit of reads in flight used, in order (one entry when fixed). */
  readLimits?: number[];
}

const BLOCK = 4096;
// Room for 16 of kopia's ~4 MiB chunks: at 32 MiB only 8 reads were ever in flight whatever the parallelism, which
// cost a quarter of the speed at 25 ms per request (docs/performance.md).
export const DEFAULT_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

export async function writeChunksInParallel(options: ParallelWriteOptions): Promise<ParallelWriteResult> {
  const groups = [...groupByObject(options.chunks).entries()];
  const knownZero = options.knownZero ?? new Set<string>();
  const result: ParallelWriteResult = { bytesWritten: 0, chunksFetched: 0, chunksSkippedZero: 0 };
  // One failing read stops the others at once instead of letting them run on.
  const failed = new AbortController();
  const signal = AbortSignal.any([options.signal, failed.signal]);
  setMaxListeners(Math.max(64, options.parallelism * 2), signal); // one abort listener per request in flight
  const limit = options.maxBytesInFlight ?? DEFAULT_BYTES_IN_FLIGHT;
  const arena = new ChunkArena(limit);
  const gate = createReadGate(options, limit, ChunkArena.sliceFor);
  signal.addEventListener('abort', () => gate.wakeAll(), { once: true });
  const behind = new WriteBehind(options.file, options.flushEveryBytes);
  let next = 0;
  let bytesDone = 0;
  const worker = async () => {
    while (next < groups.length && !signal.aborted) {
      const [objectId, places] = groups[next++];
      const placed = places.reduce((sum, chunk) => sum + chunk.length, 0);
      if (knownZero.has(objectId)) {
        result.chunksSkippedZero += places.length;
      } else {
        // A place among the reads first, then the memory: a worker waiting for a place must not hold memory.
        if (!(await gate.enter(signal))) break;
        const buffer = await arena.take(places[0].length, signal);
        if (!buffer) {
          gate.leave(0);
          break;
        }
        try {
          let delivered = 0;
          const data = await options.read(objectId, signal, buffer)
            .then((bytes) => { delivered = bytes.length; return bytes; })
            .finally(() => gate.leave(delivered));
          result.chunksFetched += 1;
          if (isAllZero(data)) {
            knownZero.add(objectId);
            result.chunksSkippedZero += places.length;
          } else {
            for (const chunk of places) {
              const written = await writeChunk(options.file, data, chunk); // not `+= await`: workers interleave
              result.bytesWritten += written;
              behind.wrote(written);
            }
          }
        } finally {
          arena.give(buffer);
        }
      }
      bytesDone += placed;
      options.onBytes?.(bytesDone);
    }
  };
  let firstError: unknown = null;
  const workers = Array.from({ length: gate.ceiling }, () => worker().catch((error: unknown) => {
    firstError ??= error;
    failed.abort();
  }));
  await Promise.all(workers);
  // Always waited for, so the caller never closes or deletes the file under a running flush.
  const flushed = await behind.settle().then(() => null, (error: unknown) => error);
  if (options.signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
  if (firstError !== null) throw firstError;
  if (flushed !== null) throw flushed;
  return { ...result, readLimits: gate.history };
}

export function isAllZero(data: Buffer): boolean {
  let at = 0;
  for (; at + BLOCK <= data.length; at += BLOCK) if (!data.subarray(at, at + BLOCK).equals(ZERO_BLOCK)) return false;
  for (; at < data.length; at++) if (data[at] !== 0) return false;
  return true;
}

/** Writes the non-zero parts of one chunk at its offset, skipping zero 4 KiB blocks aligned to the file. */
async function writeChunk(file: FileHandle, data: Buffer, chunk: Chunk): Promise<number> {
  if (data.length !== chunk.length) {
    throw new RestoreError('SIZE_MISMATCH', `Chunk ${chunk.objectId} has ${data.length} bytes, the map says ${chunk.length}`);
  }
  let written = 0;
  let runStart = -1;
  // Block boundaries are aligned to the file offset, so skipped blocks are whole file-system blocks (holes).
  let at = 0;
  while (at < data.length) {
    const end = Math.min(data.length, at + BLOCK - ((chunk.offset + at) % BLOCK));
    const zero = end - at === BLOCK && data.subarray(at, end).equals(ZERO_BLOCK);
    if (!zero && runStart < 0) runStart = at;
    if (zero && runStart >= 0) {
      written += await writeAll(file, data.subarray(runStart, at), chunk.offset + runStart);
      runStart = -1;
    }
    at = end;
  }
  if (runStart >= 0) written += await writeAll(file, data.subarray(runStart), chunk.offset + runStart);
  return written;
}

export async function writeAll(file: FileHandle, data: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
  return done;
}
