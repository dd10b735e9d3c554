import assert from 'node:assert/strict';
import { createSingleFlight } from '../../sidecar/lib/single-flight.js';

describe('single flight (request coalescing)', () => {
  it('Can share one in-flight call between concurrent callers of the same key', async () => {
    const flight = createSingleFlight<number>();
    let calls = 0;
    let release: (n: number) => void = () => undefined;
    const run = () => { calls += 1; return new Promise<number>((r) => { release = r; }); };
    const waiting = [flight('vm:1', run), flight('vm:1', run), flight('vm:1', run)];
    release(42);
    assert.deepEqual(await Promise.all(waiting), [42, 42, 42]);
    assert.equal(calls, 1);
  });

  it('Can run different keys, and the same key again once settled, as separate calls', async () => {
    const flight = createSingleFlight<string>();
    let calls = 0;
    const run = (v: string) => () => { calls += 1; return Promise.resolve(v); };
    assert.deepEqual(await Promise.all([flight('a', run('a')), flight('b', run('b'))]), ['a', 'b']);
    assert.equal(await flight('a', run('a2')), 'a2');
    assert.equal(calls, 3);
  });

  it('Rejects every caller of a failed call, and the next call starts afresh', async () => {
    const flight = createSingleFlight<number>();
    const failing = () => Promise.reject(new Error('database gone'));
    const results = await Promise.allSettled([flight('k', failing), flight('k', failing)]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(await flight('k', () => Promise.resolve(7)), 7);
  });
});
