// Ground truth for "zero chunks are never fetched": the chunks of the snapshot's file (kopia's own index, read with
// the kopia CLI) checked against the source file's bytes, so the engine's fetch count can be compared with how many
// chunks really hold data.
import { open } from 'node:fs/promises';
import { readChunkMap } from '../../agent/engine/chunk-map.js';
import { parseManifestShow } from '../../agent/engine/kopia.js';
import type { BackupRepository } from '../../sidecar/demo/kopia-repository.js';

export interface ChunkCensus {
  chunks: number;
  zeroChunks: number;
  /** chunks holding at least one non-zero byte */
  dataChunks: number;
  /** distinct objects among those (identical chunks share one object) */
  dataObjects: number;
}

export async function chunkCensus(repo: BackupRepository, manifestId: string, sourceFile: string): Promise<ChunkCensus> {
  const manifest = parseManifestShow(manifestId, await repo.kopia(['manifest', 'show', manifestId]));
  if (!manifest) throw new Error(`snapshot ${manifestId} not found`);
  const chunks = await readChunkMap(manifest.rootEntry.obj, manifest.rootEntry.size, async (id) => Buffer.from(await repo.kopia(['show', id])));
  const file = await open(sourceFile, 'r');
  const census: ChunkCensus = { chunks: chunks.length, zeroChunks: 0, dataChunks: 0, dataObjects: 0 };
  const dataObjects = new Set<string>();
  const longest = Math.max(0, ...chunks.map((c) => c.length));
  const buffer = Buffer.alloc(longest);
  const zeros = Buffer.alloc(longest);
  try {
    for (const chunk of chunks) {
      await file.read(buffer, 0, chunk.length, chunk.offset);
      if (buffer.subarray(0, chunk.length).equals(zeros.subarray(0, chunk.length))) {
        census.zeroChunks++;
      } else {
        census.dataChunks++;
        dataObjects.add(chunk.objectId);
      }
    }
  } finally {
    await file.close();
  }
  census.dataObjects = dataObjects.size;
  return census;
}
