// A restore whose job has no usable repository cannot start: its run ends at claim (or resume) through the one run
// finish, with the spec's text as its summary and its command retired; the agent never sees it. Which part is
// missing goes to the sidecar's log (commands.ts), never to the customer.
import type { Knex } from 'knex';
import { MESSAGES } from '../lib/errors.js';
import type { AgentAccountability } from './accountability.js';
import { finishRun, type RunFinishedBus } from './run-lifecycle.js';

/** False when the run had already moved on (another poll failed it first, a cancel): nothing was written then. */
export async function failRunWithoutRepository(db: Knex, bus: RunFinishedBus, who: AgentAccountability, runId: number): Promise<boolean> {
  const message = MESSAGES.REPOSITORY_NOT_CONFIGURED;
  const fact = await finishRun(db, bus, runId, 'failed', {
    actor: who, summary: message, event: { messageId: 'HYPERV_RESTORE_FAILED', params: { message } }, command: { outcome: 'failed', message },
  });
  return fact !== null;
}
