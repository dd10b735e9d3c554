// The chunk map of a file object: where each chunk object sits in the file. A large file's object id is indirect
// (`I` + the index object's id); the index object is JSON {"stream":"kopia:indirect","entries":[{s,l,o}]} ("s" is
// omitted for 0). An entry's own object may be indirect again (files over 2 GiB are uploaded in parts and
// concatenated), so entries are expanded recursively.
import { RestoreError } from './types.js';

export interface Chunk {
  offset: number;
  length: number;
  objectId: string;
}

export type ObjectReader = (objectId: string) => Promise<Buffer>;

interface IndirectEntry {
  s?: number;
  l: number;
  o: string;
}

const MAX_DEPTH = 8;

export async function readChunkMap(objectId: string, size: number, read: ObjectReader): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  await expand(objectId, 0, size, read, chunks, 0);
  checkContiguous(chunks, size);
  return chunks;
}

/** Kopia's IndexObjectID: exactly one leading `I` removed (`IIx…` -> `Ix…`, itself indirect). */
export function indexObjectId(objectId: string): string | null {
  return objectId.startsWith('I') ? objectId.slice(1) : null;
}

async function expand(objectId: string, base: number, length: number, read: ObjectReader, out: Chunk[], depth: number): Promise<void> {
  const indexId = indexObjectId(objectId);
  if (indexId === null) {
    out.push({ offset: base, length, objectId });
    return;
  }
  if (depth >= MAX_DEPTH) throw mapError(objectId, 'indirection too deep');
  for (const entry of parseIndex(objectId, await read(indexId))) {
    await expand(entry.o, base + (entry.s ?? 0), entry.l, read, out, depth + 1);
  }
}

export function parseIndex(objectId: string, data: Buffer): IndirectEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw mapError(objectId, 'index is not JSON');
  }
  const index = parsed as { stream?: unknown; entries?: unknown };
  if (index.stream !== 'kopia:indirect' || !Array.isArray(index.entries)) throw mapError(objectId, 'not an indirect index');
  return index.entries.map((raw: unknown) => {
    const entry = raw as Partial<IndirectEntry>;
    const start = entry.s ?? 0;
    if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(entry.l) || (entry.l as number) < 0 || typeof entry.o !== 'string') {
      throw mapError(objectId, 'malformed index entry');
    }
    return { s: start, l: entry.l as number, o: entry.o };
  });
}

function checkContiguous(chunks: Chunk[], size: number): void {
  let expected = 0;
  for (const chunk of chunks) {
    if (chunk.offset !== expected) throw mapError(chunk.objectId, `gap or overlap at offset ${expected}`);
    expected += chunk.length;
  }
  if (expected !== size) throw new RestoreError('SIZE_MISMATCH', `Chunk map covers ${expected} bytes, the snapshot says ${size}`);
}

function mapError(objectId: string, reason: string): RestoreError {
  return new RestoreError('KOPIA_FAILED', `Cannot read the chunk map of object ${objectId}: ${reason}`);
}

/** Chunks grouped by object id, in file order of first appearance: each object is fetched once. */
export function groupByObject(chunks: Chunk[]): Map<string, Chunk[]> {
  const groups = new Map<string, Chunk[]>();
  for (const chunk of chunks) {
    const list = groups.get(chunk.objectId);
    if (list) list.push(chunk);
    else groups.set(chunk.objectId, [chunk]);
  }
  return groups;
}
