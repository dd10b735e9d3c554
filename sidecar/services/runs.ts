// Restore runs as the client sees them (read model), and the client's cancel request.
import type { Knex } from 'knex';
import { isoTime, parseJsonColumn, toDbTime } from '../db/dialect.js';
import { errors } from '../lib/errors.js';
import type { RunRef } from '../schemas/client.js';
import { progressView, type ProgressColumns } from './run-progress.js';
import { appendEvents } from './run-events.js';
import { isTerminal, RUNS_TABLE, transitionRun } from './run-status.js';
import { COMMANDS_TABLE, RESTORE_RUN_TYPE, type Actor } from './restores.js';

interface RunRow extends ProgressColumns {
  id: number | string;
  run_uuid: string | null;
  job_id: number | string;
  agent_id: number | string | null;
  cancel_requested: number | string | boolean | null;
  created_at: unknown;
  started_at: unknown;
  finished_at: unknown;
  updated_at: unknown;
  error_summary: string | null;
  stats_json: unknown;
}

const RUN_COLUMNS = [
  'r.id', 'r.run_uuid', 'r.job_id', 'r.agent_id', 'r.status', 'r.cancel_requested', 'r.created_at', 'r.started_at', 'r.finished_at',
  'r.updated_at', 'r.progress_pct', 'r.bytes_total', 'r.bytes_transferred', 'r.speed_bytes_per_sec', 'r.eta_seconds', 'r.current_item',
  'r.error_summary', 'r.stats_json', 'r.progress_json',
];

/** The client's restore run named by id or uuid; a foreign run answers exactly like a missing one. */
export async function findClientRun(db: Knex, clientId: number, ref: RunRef | null): Promise<RunRow> {
  if (!ref) throw errors.runNotFound();
  const row = (await db(`${RUNS_TABLE} as r`)
    .join('s3_cloudbackup_jobs as j', 'j.id', 'r.job_id')
    .where('j.client_id', clientId)
    .andWhere('r.run_type', RESTORE_RUN_TYPE)
    .modify((q) => { if ('id' in ref) q.where('r.id', ref.id); else q.where('r.run_uuid', ref.uuid); })
    .first(RUN_COLUMNS)) as RunRow | undefined;
  if (!row) throw errors.runNotFound();
  return row;
}

export function runView(row: RunRow) {
  const { progress, disks } = progressView(row);
  return {
    id: Number(row.id),
    uuid: row.run_uuid,
    job_id: Number(row.job_id),
    status: row.status,
    is_finished: isTerminal(row.status),
    cancel_requested: Boolean(Number(row.cancel_requested)),
    progress,
    disks,
    error_summary: row.error_summary,
    created_at: isoTime(row.created_at),
    started_at: isoTime(row.started_at),
    finished_at: isoTime(row.finished_at),
    updated_at: isoTime(row.updated_at),
    stats: parseJsonColumn<Record<string, unknown>>(row.stats_json, {}),
  };
}

export async function getRun(db: Knex, clientId: number, ref: RunRef | null) {
  return runView(await findClientRun(db, clientId, ref));
}

/** Queued: cancelled now and its command retired, so no agent picks it up. Running: flagged for the agent. */
export async function cancelRun(db: Knex, actor: Actor, ref: RunRef | null) {
  const run = await findClientRun(db, actor.clientId, ref);
  const runId = Number(run.id);
  const by = { admin_id: actor.adminId ?? null };
  if (isTerminal(run.status)) throw errors.runFinished();
  const cancelledNow = run.status === 'queued' && (await db.transaction(async (trx) => {
    const moved = await transitionRun(trx, runId, 'cancelled', { onlyFrom: ['queued'], set: { cancel_requested: 1, error_summary: 'Cancelled by the client' } });
    if (!moved) return false;
    // The status enum has no 'cancelled': a retired command is 'failed' with a message that says why.
    await trx(COMMANDS_TABLE).where({ run_id: runId, type: RESTORE_RUN_TYPE }).whereIn('status', ['pending', 'processing'])
      .update({ status: 'failed', result_message: 'Cancelled by the client before the restore started', processed_at: toDbTime() });
    await appendEvents(trx, runId, [{ messageId: 'HYPERV_RESTORE_CANCELLED', params: by }]);
    return true;
  }));
  if (!cancelledNow) {
    const flagged = await db.transaction(async (trx) => {
      const n = await trx(RUNS_TABLE).where('id', runId).whereIn('status', ['queued', 'starting', 'running']).where('cancel_requested', 0)
        .update({ cancel_requested: 1, updated_at: toDbTime() });
      if (Number(n) === 1) await appendEvents(trx, runId, [{ messageId: 'HYPERV_RESTORE_CANCEL_REQUESTED', params: by }]);
      return Number(n) === 1;
    });
    // Nothing changed: either the flag was already set (a repeated click) or the run just finished.
    const now = flagged ? null : await findClientRun(db, actor.clientId, { id: runId });
    if (now && isTerminal(now.status)) throw errors.runFinished();
  }
  const after = runView(await findClientRun(db, actor.clientId, { id: runId }));
  return { message: cancelledNow ? 'Restore cancelled' : 'Cancellation requested', run: after };
}
