// The agent's loop: one command at a time, backoff on errors, a clean stop on abort.
import assert from 'node:assert/strict';
import { runPollLoop } from '../../agent/poll-loop.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import type { ClaimedCommand } from '../../sidecar/schemas/agent.js';

const command = (id: number): ClaimedCommand => ({ command_id: id, type: 'hyperv_restore', run_id: id, run_uuid: null, payload: {} });

describe('Agent poll loop', function () {
  it('Can run commands one at a time, never overlapping, then wait for the next', async () => {
    const queue = [command(1), command(2), command(3)];
    const stop = new AbortController();
    let running = 0;
    let maxRunning = 0;
    const handled: number[] = [];
    let emptyPolls = 0;
    await runPollLoop({
      claim: async () => {
        const next = queue.shift() ?? null;
        if (!next && ++emptyPolls === 2) stop.abort();
        return next;
      },
      handle: async (c) => {
        maxRunning = Math.max(maxRunning, ++running);
        await new Promise((r) => setTimeout(r, 30));
        handled.push(c.command_id);
        running--;
      },
      log: createMemoryLogger().log, intervalMs: 10, signal: stop.signal,
    });
    assert.deepEqual(handled, [1, 2, 3]);
    assert.equal(maxRunning, 1);
  });

  it('Can back off with growing delays while the sidecar fails, and recover', async () => {
    const stop = new AbortController();
    const times: number[] = [];
    const { log, lines } = createMemoryLogger();
    await runPollLoop({
      claim: async () => {
        times.push(Date.now());
        if (times.length <= 4) throw new Error('connect ECONNREFUSED');
        stop.abort();
        return null;
      },
      handle: async () => undefined, log, intervalMs: 100, maxBackoffMs: 2000, signal: stop.signal,
    });
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Attempt n waits between half and all of min(max, base * 2^n): 100-200, 200-400, 400-800, 800-1600 ms.
    [[100, 200], [200, 400], [400, 800], [800, 1600]].forEach(([lo, hi], i) => {
      assert.ok(gaps[i]! >= lo! - 15 && gaps[i]! <= hi! + 150, `gap ${i}: ${gaps[i]} not in ${lo}-${hi}`);
    });
    assert.equal(lines.filter((l) => l.includes('polling for commands failed')).length, 4);
    assert.ok(lines.some((l) => l.includes('sidecar reachable again')));
  });

  it('Can stop promptly when aborted while idle', async () => {
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 50);
    await runPollLoop({ claim: async () => null, handle: async () => undefined, log: createMemoryLogger().log, intervalMs: 60_000, signal: stop.signal });
    assert.ok(Date.now() - started < 1000);
  });
});
