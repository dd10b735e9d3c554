// The Windows write order: chunk objects are still fetched many at a time, but written strictly in ascending file
// offset, every byte, through a window bounded in bytes. NTFS zero-fills the gap between a file's valid-data length
// and a write that starts past it, synchronously inside that write, and libuv serialises all I/O on one handle: a
// skipped 200 GB zero run would become one call of minutes that no heartbeat or cancel gets past. Here a zero
// chunk is written by us, from one shared zero buffer, piece by piece, so it is ordinary, visible progress.
import { setMaxListeners } from 'node:events';
import type { Chunk } from './chunk-map.js';
import { ChunkArena } from './chunk-arena.js';
import { DEFAULT_BYTES_IN_FLIGHT, isAllZero, writeAll, type ParallelWriteOptions, type ParallelWriteResult } from './parallel-writer.js';
import { createReadGate } from './read-gate.js';
import { RestoreError } from './types.js';
import { WriteBehind } from './write-behind.js';

/** Size of the one zero buffer all zero writes come from (and of each zero write). */
export const ZERO_PIECE = 4 * 1024 * 1024;
let zeroPiece: Buffer | null = null;

/** One object's bytes, shared by the window's chunks that use it; released when the last of them is written. */
interface Fetch {
  data: Promise<Buffer>;
  buffer: Buffer;
  users: number;
}

export async function writeChunksInOrder(options: ParallelWriteOptions): Promise<ParallelWriteResult> {
  const { chunks, file } = options;
  const knownZero = options.knownZero ?? new Set<string>();
  const result: ParallelWriteResult = { bytesWritten: 0, chunksFetched: 0, chunksSkippedZero: 0 };
  const failed = new AbortController();
  const signal = AbortSignal.any([options.signal, failed.signal]);
  const parallelism = Math.max(1, options.parallelism);
  setMaxListeners(Math.max(64, parallelism * 2), signal);
  const limit = options.maxBytesInFlight ?? DEFAULT_BYTES_IN_FLIGHT;
  const arena = new ChunkArena(limit);
  const gate = createReadGate(options, limit, ChunkArena.sliceFor);
  const behind = new WriteBehind(file, options.flushEveryBytes);
  const zeros = (zeroPiece ??= Buffer.alloc(ZERO_PIECE));

  const fetching = new Map<string, Fetch>(); // by object id, while a chunk in the window still needs it
  const window = new Map<number, Fetch>(); // chunk index -> its fetch; a chunk not here is written as zeros
  let readError: unknown = null;
  let drained: (() => void) | null = null;
  let ahead = 0; // next chunk index the window may take in
  let inFlight = 0;

  const share = (entry: Fetch): Fetch => {
    entry.users += 1;
    return entry;
  };

  /** Starts the read of a chunk's object into its slice of the arena. */
  const fetchInto = (chunk: Chunk, buffer: Buffer): Fetch => {
    inFlight += 1;
    let delivered = 0;
    const data = options.read(chunk.objectId, signal, buffer).then((bytes) => {
      delivered = bytes.length;
      result.chunksFetched += 1;
      if (isAllZero(bytes)) knownZero.add(chunk.objectId);
      return bytes;
    });
    const entry: Fetch = { data, buffer, users: 1 };
    fetching.set(chunk.objectId, entry);
    // A failed read stops the others at once; the writer throws its error when it reaches the chunk or sooner.
    data.then(() => undefined, (error: unknown) => {
      readError ??= error;
      failed.abort();
    }).finally(() => {
      inFlight -= 1;
      gate.leave(delivered);
      if (inFlight === 0) drained?.();
      fill();
    });
    return entry;
  };

  /** Takes chunks into the window while the read gate and the arena allow; one chunk always fits. */
  const fill = () => {
    while (ahead < chunks.length && !signal.aborted) {
      const chunk = chunks[ahead]!;
      if (!knownZero.has(chunk.objectId)) {
        // A chunk whose object is already being read shares that read: no new place, no new memory.
        const shared = fetching.get(chunk.objectId);
        if (shared) {
          window.set(ahead, share(shared));
        } else {
          const buffer = arena.tryTake(chunk.length);
          if (!buffer) return;
          if (!gate.tryEnter()) {
            arena.give(buffer);
            return;
          }
          window.set(ahead, fetchInto(chunk, buffer));
        }
      }
      ahead += 1;
    }
  };

  const release = (chunk: Chunk, entry: Fetch) => {
    entry.users -= 1;
    if (entry.users > 0) return;
    fetching.delete(chunk.objectId);
    arena.give(entry.buffer);
    fill();
  };

  let bytesDone = 0;
  const progressed = (bytes: number) => {
    bytesDone += bytes;
    result.bytesWritten += bytes;
    behind.wrote(bytes);
    options.onBytes?.(bytesDone);
  };
  const throwIfStopped = () => {
    if (options.signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
    if (readError !== null) throw readError;
  };

  let firstError: unknown = null;
  try {
    for (let index = 0; index < chunks.length; index++) {
      const chunk = chunks[index]!;
      if (ahead <= index) fill();
      const entry = window.get(index);
      if (!entry) {
        result.chunksSkippedZero += 1;
        for (let at = 0; at < chunk.length; at += ZERO_PIECE) {
          throwIfStopped();
          progressed(await writeAll(file, zeros.subarray(0, Math.min(ZERO_PIECE, chunk.length - at)), chunk.offset + at));
        }
        continue;
      }
      window.delete(index);
      try {
        // A read aborted because another one failed reports that first failure, not its own abort.
        const data = await entry.data.catch((error: unknown) => { throw readError ?? error; });
        throwIfStopped();
        if (data.length !== chunk.length) {
          throw new RestoreError('SIZE_MISMATCH', `Chunk ${chunk.objectId} has ${data.length} bytes, the map says ${chunk.length}`);
        }
        progressed(await writeAll(file, data, chunk.offset));
      } finally {
        release(chunk, entry);
      }
    }
  } catch (error) {
    firstError = error;
    failed.abort();
  }
  // Every read ends before the caller may close or delete the file; likewise the running flush.
  if (inFlight > 0) await new Promise<void>((resolve) => { drained = resolve; });
  const flushed = await behind.settle().then(() => null, (error: unknown) => error);
  if (options.signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
  if (firstError !== null) throw firstError;
  if (flushed !== null) throw flushed;
  return { ...result, readLimits: gate.history };
}
