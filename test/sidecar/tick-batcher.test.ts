import assert from 'node:assert/strict';
import { createTickBatcher, createTickBatcherPer } from '../../sidecar/lib/tick-batcher.js';

describe('tick batcher (one query for the calls of one event-loop turn)', () => {
  it('Can answer the calls made in one turn with one batch, each with its own answer, in order', async () => {
    const batches: number[][] = [];
    const double = createTickBatcher(async (keys: number[]) => { batches.push(keys); return keys.map((k) => k * 2); });
    assert.deepEqual(await Promise.all([double(1), double(2), double(3)]), [2, 4, 6]);
    assert.deepEqual(await double(4), 8);
    assert.deepEqual(batches, [[1, 2, 3], [4]]);
  });

  it('Can split a turn\'s calls into batches of at most maxBatch keys', async () => {
    const sizes: number[] = [];
    const echo = createTickBatcher(async (keys: string[]) => { sizes.push(keys.length); return keys; }, 2);
    assert.deepEqual(await Promise.all(['a', 'b', 'c', 'd', 'e'].map(echo)), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(sizes, [2, 2, 1]);
  });

  it('Rejects every call of a failed batch, and the next turn starts afresh', async () => {
    let fail = true;
    const lookup = createTickBatcher(async (keys: number[]) => {
      if (fail) throw new Error('database gone');
      return keys;
    });
    const settled = await Promise.allSettled([lookup(1), lookup(2)]);
    assert.deepEqual(settled.map((r) => r.status), ['rejected', 'rejected']);
    fail = false;
    assert.equal(await lookup(3), 3);
  });

  it('Rejects the calls of a batch that answers a different number of keys', async () => {
    const broken = createTickBatcher(async (keys: number[]) => keys.slice(1));
    await assert.rejects(Promise.all([broken(1), broken(2)]), /batch answered 1 of 2 keys/);
  });

  it('Can keep the calls of different owners (databases) in separate batches', async () => {
    const batches: string[] = [];
    const lookup = createTickBatcherPer(async (owner: { name: string }, keys: number[]) => {
      batches.push(`${owner.name}:${keys.join(',')}`);
      return keys.map((k) => `${owner.name}${k}`);
    });
    const [a, b] = [{ name: 'a' }, { name: 'b' }];
    assert.deepEqual(await Promise.all([lookup(a, 1), lookup(b, 2), lookup(a, 3)]), ['a1', 'b2', 'a3']);
    assert.deepEqual(batches.sort(), ['a:1,3', 'b:2']);
  });
});
