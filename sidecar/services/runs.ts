// Restore runs as the client sees them (read model), and cancelling one (a client's, or an admin's in the admin area).
import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { errors } from '../lib/errors.js';
import { RUN_COLUMNS, toRun, type Run, type RunRow } from '../rows/runs.js';
import type { RunRef } from '../schemas/client.js';
import { adminIdOf, type AdminAccountability, type ClientAccountability } from './accountability.js';
import { finishRun, type RunFinishedBus } from './run-lifecycle.js';
import { appendEvents } from './run-events.js';
import { isTerminal } from './run-status.js';
import { RESTORE_RUN_TYPE } from './restores.js';

/** The client's restore run named by id or uuid; a foreign run answers exactly like a missing one. */
export async function findClientRun(db: Knex, who: ClientAccountability, ref: RunRef | null): Promise<Run> {
  if (!ref) throw errors.runNotFound();
  const row = (await db(`${TABLES.runs} as r`)
    .join(`${TABLES.jobs} as j`, 'j.id', 'r.job_id')
    .where('j.client_id', who.clientId)
    .andWhere('r.run_type', RESTORE_RUN_TYPE)
    .modify((q) => { if ('id' in ref) q.where('r.id', ref.id); else q.where('r.run_uuid', ref.uuid); })
    .first(RUN_COLUMNS)) as RunRow | undefined;
  if (!row) throw errors.runNotFound();
  return toRun(row);
}

/** The client API's shape of a run (contract "GET /api/runs/:run"). */
export function runView(run: Run) {
  return {
    id: run.id,
    uuid: run.uuid,
    job_id: run.jobId,
    status: run.status,
    is_finished: run.isFinished,
    cancel_requested: run.cancelRequested,
    progress: run.progress,
    disks: run.disks,
    error_summary: run.errorSummary,
    created_at: run.createdAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    updated_at: run.updatedAt,
    stats: run.stats,
  };
}

export type RunView = ReturnType<typeof runView>;

export async function getRun(db: Knex, who: ClientAccountability, ref: RunRef | null): Promise<RunView> {
  return runView(await findClientRun(db, who, ref));
}

/** Who cancels, and the words the run and its command keep for it. */
type Canceller = ClientAccountability | AdminAccountability;

function cancelTexts(who: Canceller): { summary: string; command: string } {
  const by = who.kind === 'admin' ? 'an administrator' : 'the client';
  return { summary: `Cancelled by ${by}`, command: `Cancelled by ${by} before the restore started` };
}

export interface CancelOutcome {
  message: 'Restore cancelled' | 'Cancellation requested';
}

/** Queued: cancelled now through the one finish, so no agent picks it up. Running: flagged for the agent.
 *  `reread` loads the run again as the canceller may see it. */
export async function cancelFoundRun(db: Knex, who: Canceller, run: Run, bus: RunFinishedBus, reread: () => Promise<Run>): Promise<CancelOutcome> {
  if (run.isFinished) throw errors.runFinished();
  const params = { admin_id: adminIdOf(who) };
  const texts = cancelTexts(who);
  const cancelledNow = run.status === 'queued' && (await finishRun(db, bus, run.id, 'cancelled', {
    actor: who, summary: texts.summary, set: { cancel_requested: 1 }, onlyFrom: ['queued'],
    event: { messageId: 'HYPERV_RESTORE_CANCELLED', params }, command: { outcome: 'failed', message: texts.command },
  })) !== null;
  if (cancelledNow) return { message: 'Restore cancelled' };
  const flagged = await db.transaction(async (trx) => {
    const n = await trx(TABLES.runs).where('id', run.id).whereIn('status', ['queued', 'starting', 'running']).where('cancel_requested', 0)
      .update({ cancel_requested: 1, updated_at: toDbTime() });
    if (Number(n) === 1) await appendEvents(trx, run.id, [{ messageId: 'HYPERV_RESTORE_CANCEL_REQUESTED', params }]);
    return Number(n) === 1;
  });
  // Nothing changed: either the flag was already set (a repeated click) or the run just finished.
  if (!flagged && isTerminal((await reread()).status)) throw errors.runFinished();
  return { message: 'Cancellation requested' };
}

export async function cancelRun(db: Knex, who: ClientAccountability, ref: RunRef | null, bus: RunFinishedBus) {
  const run = await findClientRun(db, who, ref);
  const reread = () => findClientRun(db, who, { id: run.id });
  const { message } = await cancelFoundRun(db, who, run, bus, reread);
  return { message, run: runView(await reread()) };
}
