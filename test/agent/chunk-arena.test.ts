// The memory chunks in flight are read into: never more than the budget, slices that never overlap (two chunks
// sharing bytes would write one chunk's data at the other's place on the customer's disk), freed space reused whole.
import assert from 'node:assert/strict';
import { ChunkArena, SLICE_UNIT } from '../../agent/engine/chunk-arena.js';

const MiB = 1024 * 1024;

/** A small seeded generator, so a failing sequence can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('Agent engine: the chunk arena', function () {
  it('Hands out slices of exactly the chunk\'s size that never share a byte, and never holds more than its limit', function () {
    const arena = new ChunkArena(64 * MiB);
    const random = seeded(7);
    const held: Array<{ slice: Buffer; mark: number }> = [];
    let mark = 0;
    for (let step = 0; step < 2000; step++) {
      if (held.length > 0 && (random() < 0.45 || held.length > 30)) {
        const [{ slice, mark: expected }] = held.splice(Math.floor(random() * held.length), 1);
        // Nothing else wrote into this slice while it was held. Slices start on 64 KiB units, so any overlap covers
        // the first byte of a unit (or the last byte).
        for (let at = 0; at < slice.length; at += SLICE_UNIT) assert.equal(slice[at], expected % 256, `slice of ${slice.length} bytes was overwritten at ${at}`);
        assert.equal(slice[slice.length - 1], expected % 256);
        arena.give(slice);
        continue;
      }
      const length = 2 * MiB + Math.floor(random() * 6 * MiB) + Math.floor(random() * 1000);
      const slice = arena.tryTake(length);
      if (!slice) {
        // Refused only while other slices are held (then the free space may be too fragmented for it).
        assert.ok(held.length > 0, 'an empty arena refused a chunk that fits');
        continue;
      }
      assert.equal(slice.length, length);
      mark += 1;
      slice.fill(mark % 256);
      held.push({ slice, mark });
      assert.ok(arena.held <= 64 * MiB, `held ${arena.held}`);
    }
    for (const { slice } of held) arena.give(slice);
    assert.equal(arena.held, 0);
    // All of it merged back: the whole arena is one free run again.
    const whole = arena.tryTake(64 * MiB);
    assert.ok(whole);
    assert.equal(whole.length, 64 * MiB);
  });

  it('Rounds each slice up to 64 KiB only', function () {
    assert.equal(ChunkArena.sliceFor(1), SLICE_UNIT);
    assert.equal(ChunkArena.sliceFor(4 * MiB), 4 * MiB);
    assert.equal(ChunkArena.sliceFor(4 * MiB + 1), 4 * MiB + SLICE_UNIT);
    const arena = new ChunkArena(16 * MiB);
    // Four chunks of 4 MiB + 1 byte would need 8 MiB each if rounded to a power of two; here three fit.
    const slices = [1, 2, 3].map(() => arena.tryTake(4 * MiB + 1));
    assert.ok(slices.every((slice) => slice !== null));
  });

  it('Makes a reader wait while the arena is full and lets it in when a slice comes back', async function () {
    const arena = new ChunkArena(8 * MiB);
    const first = arena.tryTake(5 * MiB)!;
    let got: Buffer | null = null;
    const waiting = arena.take(5 * MiB, new AbortController().signal).then((slice) => { got = slice; });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(got, null);
    arena.give(first);
    await waiting;
    assert.ok(got);
    assert.equal((got as Buffer).length, 5 * MiB);
  });

  it('Stops waiting when the restore is cancelled', async function () {
    const arena = new ChunkArena(4 * MiB);
    arena.tryTake(4 * MiB);
    const controller = new AbortController();
    const waiting = arena.take(MiB, controller.signal);
    setTimeout(() => controller.abort(), 10);
    assert.equal(await waiting, null);
  });

  it('Gives a chunk larger than the whole arena a buffer of its own, alone', function () {
    const arena = new ChunkArena(4 * MiB);
    const small = arena.tryTake(MiB)!;
    assert.equal(arena.tryTake(6 * MiB), null, 'not while anything else is held');
    arena.give(small);
    const large = arena.tryTake(6 * MiB)!;
    assert.equal(large.length, 6 * MiB);
    assert.equal(arena.tryTake(MiB), null, 'nothing else while it is held');
    arena.give(large);
    assert.ok(arena.tryTake(MiB));
  });

  it('Refuses a slice given back twice', function () {
    const arena = new ChunkArena(4 * MiB);
    const slice = arena.tryTake(MiB)!;
    arena.tryTake(MiB);
    arena.give(slice);
    assert.throws(() => arena.give(slice), /given back twice/);
  });
});
