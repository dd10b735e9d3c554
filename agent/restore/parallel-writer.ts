// Fetches chunk objects through a bounded work queue (N reads in flight, never the whole file in memory) and writes
// each at its offsets with positional writes. An object seen to be all zeros is neither fetched again nor written,
// and 4 KiB-aligned zero runs inside fetched chunks are skipped too, so the output stays sparse.
import type { FileHandle } from 'node:fs/promises';
import { groupByObject, type Chunk } from './chunk-map.js';
import { RestoreError } from './types.js';

export interface ParallelWriteOptions {
  chunks: Chunk[];
  file: FileHandle;
  parallelism: number;
  read(objectId: string, signal: AbortSignal): Promise<Buffer>;
  signal: AbortSignal;
  /** Object ids already known to be all zeros (e.g. probed before the free-space check). */
  knownZero?: Set<string>;
  onBytes?(bytesDone: number): void;
  /** Most chunk bytes held in memory at once (default 96 MiB); one chunk always fits. */
  maxBytesInFlight?: number;
}

export interface ParallelWriteResult {
  bytesWritten: number;
  chunksFetched: number;
  chunksSkippedZero: number;
}

const BLOCK = 4096;
const DEFAULT_BYTES_IN_FLIGHT = 96 * 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

export async function writeChunksInParallel(options: ParallelWriteOptions): Promise<ParallelWriteResult> {
  const groups = [...groupByObject(options.chunks).entries()];
  const knownZero = options.knownZero ?? new Set<string>();
  const result: ParallelWriteResult = { bytesWritten: 0, chunksFetched: 0, chunksSkippedZero: 0 };
  // One failing read stops the others at once instead of letting them run on.
  const failed = new AbortController();
  const signal = AbortSignal.any([options.signal, failed.signal]);
  const budget = new ByteBudget(options.maxBytesInFlight ?? DEFAULT_BYTES_IN_FLIGHT);
  let next = 0;
  let bytesDone = 0;
  const worker = async () => {
    while (next < groups.length && !signal.aborted) {
      const [objectId, places] = groups[next++];
      const placed = places.reduce((sum, chunk) => sum + chunk.length, 0);
      if (knownZero.has(objectId)) {
        result.chunksSkippedZero += places.length;
      } else {
        const release = await budget.acquire(places[0].length, signal);
        try {
          const data = await options.read(objectId, signal);
          result.chunksFetched += 1;
          if (isAllZero(data)) {
            knownZero.add(objectId);
            result.chunksSkippedZero += places.length;
          } else {
            for (const chunk of places) result.bytesWritten += await writeChunk(options.file, data, chunk);
          }
        } finally {
          release();
        }
      }
      bytesDone += placed;
      options.onBytes?.(bytesDone);
    }
  };
  let firstError: unknown = null;
  const workers = Array.from({ length: Math.max(1, options.parallelism) }, () => worker().catch((error: unknown) => {
    firstError ??= error;
    failed.abort();
  }));
  await Promise.all(workers);
  if (options.signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
  if (firstError !== null) throw firstError;
  return result;
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

async function writeAll(file: FileHandle, data: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
  return done;
}

/** Bounds the chunk bytes held at once, so memory stays flat whatever the parallelism and chunk size. */
class ByteBudget {
  private used = 0;
  private waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async acquire(bytes: number, signal: AbortSignal): Promise<() => void> {
    // A chunk larger than the whole budget still runs, alone.
    while (this.used > 0 && this.used + bytes > this.limit && !signal.aborted) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.used += bytes;
    return () => {
      this.used -= bytes;
      for (const wake of this.waiting.splice(0)) wake();
    };
  }
}
