// The agent's single loop (graphile-worker style): claim one command, run it to the end, claim the next. Never two
// at once; an idle queue waits poll_interval; errors back off exponentially with jitter up to a minute. The loop
// ends when the signal aborts (SIGTERM), after the command in hand has reported its end.
import { backoffDelay, sleep } from '../sidecar/lib/backoff.js';
import { coerceError } from '../sidecar/lib/errors.js';
import type { Logger } from '../sidecar/lib/log.js';
import type { ClaimedCommand } from '../sidecar/schemas/agent.js';

export interface PollLoopOptions {
  claim(): Promise<ClaimedCommand | null>;
  handle(command: ClaimedCommand): Promise<void>;
  log: Logger;
  intervalMs: number;
  signal: AbortSignal;
  maxBackoffMs?: number;
}

export async function runPollLoop({ claim, handle, log, intervalMs, signal, maxBackoffMs = 60_000 }: PollLoopOptions): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    let command: ClaimedCommand | null;
    try {
      command = await claim();
      if (failures > 0) log.info('sidecar reachable again', { failures });
      failures = 0;
    } catch (thrown) {
      failures++;
      const delay = backoffDelay(failures, { baseMs: Math.min(intervalMs, 1000), maxMs: maxBackoffMs });
      log.warn('polling for commands failed', { err: coerceError(thrown), retryInMs: delay, failures });
      await sleep(delay, signal);
      continue;
    }
    if (!command) {
      await sleep(intervalMs, signal);
      continue;
    }
    log.info('command claimed', { commandId: command.command_id, runId: command.run_id, type: command.type });
    try {
      await handle(command);
    } catch (thrown) {
      // handle() reports its own failures; reaching here is a bug, which must not stop the agent.
      log.error('command handler crashed', { commandId: command.command_id, err: coerceError(thrown) });
    }
  }
}
