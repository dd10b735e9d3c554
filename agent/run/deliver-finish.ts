// The end of a run must reach the sidecar: events first (so the summary is in the log before the status flips),
// then the final status, retried with backoff for a while. Finishing twice is harmless (the sidecar accepts a
// repeated identical finish), so a lost answer is simply retried.
import { backoffDelay, sleep } from '../../sidecar/lib/backoff.js';
import type { Logger } from '../../sidecar/lib/log.js';
import type { FinishRequest } from '../../sidecar/schemas/agent.js';
import type { EventOutbox } from './event-outbox.js';
import { SidecarError, type SidecarClient } from '../sidecar-client.js';

const ATTEMPTS = 10;

export async function deliverFinish(client: SidecarClient, outbox: EventOutbox, runId: number, finish: FinishRequest, log: Logger): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const flushed = await outbox.flush();
    try {
      if (flushed) {
        await client.finish(runId, finish, { retries: 0 });
        log.info('run finished', { runId, status: finish.status });
        return true;
      }
    } catch (thrown) {
      if (thrown instanceof SidecarError && !thrown.retryable) {
        log.warn('the sidecar refused the final status', { runId, status: finish.status, err: thrown });
        return false;
      }
    }
    await sleep(backoffDelay(attempt, { baseMs: 500, maxMs: 10_000 }));
  }
  log.error('could not report the end of the run; the sidecar watchdog will close it', { runId, status: finish.status });
  return false;
}
