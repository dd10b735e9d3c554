// Pure parts of the restore engine: the chunk map (nested indirect objects), the sparse positional writer and the
// parsers of kopia's output, with in-memory objects shaped like real kopia v0.22.3 ones.
import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexObjectId, readChunkMap } from '../../agent/engine/chunk-map.js';
import { parseManifestShow, parseRestoreProgress } from '../../agent/engine/kopia.js';
import { writeChunksInParallel } from '../../agent/engine/parallel-writer.js';
import type { RestoreError } from '../../agent/engine/types.js';

const index = (entries: Array<{ s?: number; l: number; o: string }>) => Buffer.from(JSON.stringify({ stream: 'kopia:indirect', entries }));
const id = (n: number) => n.toString(16).padStart(32, '0');

describe('chunk map', () => {
  it('Can remove exactly one leading I to find the index object', () => {
    assert.equal(indexObjectId(`I${id(1)}`), id(1));
    assert.equal(indexObjectId(`IIx${id(1)}`), `Ix${id(1)}`);
    assert.equal(indexObjectId(`IZ${id(1)}`), `Z${id(1)}`);
    assert.equal(indexObjectId(id(1)), null);
  });

  it('Can expand nested indirect objects into absolute offsets', async () => {
    const objects = new Map<string, Buffer>([
      [`I${id(9)}`, index([{ l: 10, o: id(1) }, { s: 10, l: 5, o: id(2) }])],
      [id(8), index([{ l: 15, o: `II${id(9)}` }, { s: 15, l: 7, o: id(3) }])],
    ]);
    const read = async (oid: string) => objects.get(oid) ?? assert.fail(`unexpected read of ${oid}`);
    assert.deepEqual(await readChunkMap(`I${id(8)}`, 22, read), [
      { offset: 0, length: 10, objectId: id(1) },
      { offset: 10, length: 5, objectId: id(2) },
      { offset: 15, length: 7, objectId: id(3) },
    ]);
  });

  it('Can treat a direct object as one chunk of the whole file', async () => {
    assert.deepEqual(await readChunkMap(id(4), 123, async () => assert.fail('no read expected')), [{ offset: 0, length: 123, objectId: id(4) }]);
  });

  for (const [name, entries, size, code] of [
    ['a gap', [{ l: 10, o: id(1) }, { s: 11, l: 5, o: id(2) }], 16, 'KOPIA_FAILED'],
    ['a size other than the snapshot', [{ l: 10, o: id(1) }], 11, 'SIZE_MISMATCH'],
    ['a negative length', [{ l: -1, o: id(1) }], 0, 'KOPIA_FAILED'],
  ] as const) {
    it(`Rejects an index with ${name}`, async () => {
      await assert.rejects(readChunkMap(`I${id(7)}`, size, async () => index([...entries])), (e: RestoreError) => e.code === code);
    });
  }

  it('Rejects an index that is not kopia JSON', async () => {
    await assert.rejects(readChunkMap(`I${id(7)}`, 1, async () => Buffer.from('{"stream":"kopia:directory","entries":[]}')),
      (e: RestoreError) => e.code === 'KOPIA_FAILED' && /not an indirect index/.test(e.message));
  });
});

describe('parallel writer', () => {
  it('Can write chunks at their offsets, fetch a repeated zero object once and leave zero blocks as holes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvr-writer-'));
    const KiB = 1024;
    const data = Buffer.alloc(64 * KiB, 7);
    data.fill(0, 8 * KiB, 40 * KiB); // 32 KiB of zeros inside a non-zero chunk
    const zero = Buffer.alloc(256 * KiB);
    const objects = new Map([[id(1), data], [id(2), zero]]);
    const chunks = [
      { offset: 0, length: 64 * KiB, objectId: id(1) },
      ...[0, 1, 2, 3].map((i) => ({ offset: 64 * KiB + i * 256 * KiB, length: 256 * KiB, objectId: id(2) })),
      { offset: 64 * KiB + 1024 * KiB, length: 64 * KiB, objectId: id(1) },
    ];
    const size = 1152 * KiB;
    const reads: string[] = [];
    const file = await open(join(dir, 'out'), 'w+');
    try {
      await file.truncate(size);
      const result = await writeChunksInParallel({ chunks, file, parallelism: 3, signal: new AbortController().signal,
        read: async (oid, _signal, into) => { reads.push(oid); (objects.get(oid) as Buffer).copy(into); return into; } });
      assert.deepEqual(reads.sort(), [id(1), id(2)]);
      assert.deepEqual(result, { bytesWritten: 2 * 32 * KiB, chunksFetched: 2, chunksSkippedZero: 4, readLimits: [3] }); // two reads: too few to measure, the ceiling stays
    } finally {
      await file.close();
    }
    const expected = Buffer.concat([data, Buffer.alloc(1024 * KiB), data]);
    assert.deepEqual(await readFile(join(dir, 'out')), expected);
    assert.ok((await stat(join(dir, 'out'))).blocks * 512 <= 2 * 32 * KiB + 8 * KiB);
    await rm(dir, { recursive: true, force: true });
  });

  // What the flush is for: the fsync before the disk is moved into place finds little left to write.
  it('Can flush the file in the background while writing, one flush at a time, and wait for it before returning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvr-writer-'));
    const KiB = 1024;
    const objects = Array.from({ length: 12 }, (_, i) => Buffer.alloc(64 * KiB, i + 1));
    const chunks = objects.map((_, i) => ({ offset: i * 64 * KiB, length: 64 * KiB, objectId: id(i + 1) }));
    const handle = await open(join(dir, 'out'), 'w+');
    let flushes = 0;
    let running = 0;
    let mostAtOnce = 0;
    let unfinished = 0;
    // The real file, with its datasync watched: each flush takes a while, so writes go on while it runs.
    const file = Object.assign(Object.create(handle) as typeof handle, {
      datasync: async () => {
        flushes++;
        unfinished++;
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await new Promise((r) => setTimeout(r, 10));
        await handle.datasync();
        running--;
        unfinished--;
      },
    });
    try {
      await handle.truncate(12 * 64 * KiB);
      await writeChunksInParallel({ chunks, file, parallelism: 2, signal: new AbortController().signal, flushEveryBytes: 128 * KiB,
        read: async (oid, _signal, into) => { objects[parseInt(oid, 16) - 1]!.copy(into); await new Promise((r) => setTimeout(r, 20)); return into; } });
      assert.equal(unfinished, 0, 'no flush still running when the writer returns');
    } finally {
      await handle.close();
    }
    assert.ok(flushes >= 2, `flushed ${flushes} times while writing 768 KiB with a flush every 128 KiB`);
    assert.equal(mostAtOnce, 1);
    assert.deepEqual(await readFile(join(dir, 'out')), Buffer.concat(objects));
    await rm(dir, { recursive: true, force: true });
  });

  it('Rejects the disk when a background flush fails (the data may not be on disk)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvr-writer-'));
    const handle = await open(join(dir, 'out'), 'w+');
    const failure = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const file = Object.assign(Object.create(handle) as typeof handle, { datasync: () => Promise.reject(failure) });
    try {
      const data = Buffer.alloc(64 * 1024, 9);
      await assert.rejects(
        writeChunksInParallel({ chunks: [{ offset: 0, length: data.length, objectId: id(1) }], file, parallelism: 1, signal: new AbortController().signal,
          flushEveryBytes: 1024, read: async (_oid, _signal, into) => { data.copy(into); return into; } }),
        (e: Error) => e === failure,
      );
    } finally {
      await handle.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('kopia output parsers', () => {
  it('Can read a snapshot manifest from `kopia manifest show`', () => {
    const text = '// id: abc\n// label type:snapshot\n{\n "rootEntry": {"name":"disk0.vhdx","type":"f","size":45090002,"obj":"Ixab"}\n}';
    assert.deepEqual(parseManifestShow('abc', text), { id: 'abc', rootEntry: { name: 'disk0.vhdx', type: 'f', size: 45090002, obj: 'Ixab' } });
    assert.equal(parseManifestShow('abc', '// label type:policy\n{}'), null);
  });

  it('Can read the bytes of the newest restore progress line', () => {
    assert.equal(parseRestoreProgress('\rProcessed 0 (21 MB) of 0 (0 B).   \rProcessed 1 (45.1 MB) of 0 (0 B).'), 45_100_000);
    assert.equal(parseRestoreProgress('Restoring to local filesystem'), null);
  });
});
