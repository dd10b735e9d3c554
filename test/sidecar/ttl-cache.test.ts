import assert from 'node:assert/strict';
import { createTtlCache } from '../../sidecar/lib/ttl-cache.js';

/** A clock the test moves, and a build that counts its calls and answers the current version. */
function world(ttlMs: number, maxSize = 100) {
  let clock = 1_000;
  let version = 1;
  let builds = 0;
  const cache = createTtlCache<{ version: number }>({ ttlMs, maxSize, sizeOf: () => 1, now: () => clock });
  const build = async () => { builds += 1; return { version }; };
  const read = (key = 'vm:1') => cache.get(key, build);
  return {
    cache, read, build,
    builds: () => builds,
    advance: (ms: number) => { clock += ms; },
    change: () => { version += 1; },
  };
}

/** Lets a background rebuild (started and not awaited by the cache) finish. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TTL cache (a listing page, reused for a few seconds)', () => {
  it('Can build a key once while it is fresh, concurrent first callers sharing that build', async () => {
    const w = world(2000);
    assert.deepEqual(await Promise.all([w.read(), w.read(), w.read()]), [{ version: 1 }, { version: 1 }, { version: 1 }]);
    w.advance(1400);
    assert.deepEqual(await w.read(), { version: 1 });
    await settle();
    assert.equal(w.builds(), 1, 'no rebuild before the last quarter');
  });

  it('Can rebuild a key in the last quarter of its life in the background, serving the old value meanwhile', async () => {
    const w = world(2000);
    await w.read();
    w.change();
    w.advance(1600);
    assert.deepEqual(await w.read(), { version: 1 }, 'still fresh: served at once');
    await settle();
    assert.deepEqual(await w.read(), { version: 2 }, 'the background build replaced it');
    assert.equal(w.builds(), 2);
  });

  it('Cannot serve a value older than ttlMs: an expired key is built before it is answered', async () => {
    const w = world(2000);
    await w.read();
    w.change();
    w.advance(2000);
    assert.deepEqual(await w.read(), { version: 2 });
  });

  it('Can build every call when ttlMs is 0', async () => {
    const w = world(0);
    await w.read();
    w.change();
    assert.deepEqual(await w.read(), { version: 2 });
    assert.equal(w.builds(), 2);
    assert.equal(w.cache.size, 0);
  });

  it('Can drop the oldest keys to stay under maxSize', async () => {
    const w = world(2000, 2);
    await w.read('a');
    await w.read('b');
    await w.read('c');
    assert.equal(w.cache.size, 2);
    assert.equal(w.builds(), 3);
    await w.read('c');
    await w.read('b');
    assert.equal(w.builds(), 3, 'b and c kept');
    await w.read('a');
    assert.equal(w.builds(), 4, 'a was dropped');
  });

  it('Rejects the callers of a failed build and keeps nothing, so the next call builds again', async () => {
    const cache = createTtlCache<number[]>({ ttlMs: 2000, maxSize: 10, sizeOf: () => 1 });
    await assert.rejects(cache.get('k', () => Promise.reject(new Error('database gone'))), /database gone/);
    assert.deepEqual(await cache.get('k', async () => [1]), [1]);
    assert.equal(cache.size, 1);
  });
});
