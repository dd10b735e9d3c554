// What an agent may do to a run it claimed: report status + progress (heartbeat) and finish it. Status only moves
// forward (contract): every write is a compare-and-set on the status that was read, so a concurrent cancel or
// watchdog can never be overwritten by a late heartbeat.
import type { Knex } from 'knex';
import { affected, toDbTime } from '../db/dialect.js';
import { AppError, errors } from '../lib/errors.js';
import type { FinishRequest, HeartbeatRequest, HeartbeatResponse, ProgressReport, RunStatus } from '../schemas/agent.js';
import { agentOwnsRun, finishCommand } from './commands.js';

const RANK: Record<RunStatus, number> = { queued: 0, starting: 1, running: 2, success: 3, warning: 3, failed: 3, cancelled: 3 };
const isFinal = (s: RunStatus) => RANK[s] === 3;

interface RunRow {
  id: number;
  status: RunStatus;
  cancel_requested: number | string | boolean;
  started_at: unknown;
}

export const runFinishedError = (status: RunStatus) => new AppError('RUN_FINISHED', 409, `Run is already finished (${status})`);

export async function readOwnRun(db: Knex, agentId: number, runId: number): Promise<RunRow> {
  // A run of another agent answers exactly like a missing one.
  if (!(await agentOwnsRun(db, agentId, runId))) throw errors.runNotFound();
  const row = (await db('s3_cloudbackup_runs').where({ id: runId }).first('id', 'status', 'cancel_requested', 'started_at')) as RunRow | undefined;
  if (!row) throw errors.runNotFound();
  return row;
}

function progressColumns(p: ProgressReport): Record<string, unknown> {
  return {
    bytes_total: p.bytes_total,
    bytes_transferred: p.bytes_done,
    progress_pct: Math.round(p.progress_pct * 100) / 100,
    speed_bytes_per_sec: p.speed_bytes_per_sec,
    eta_seconds: p.eta_seconds,
    current_item: p.current_item.slice(0, 1024),
    progress_json: JSON.stringify({ disks: p.disks }),
  };
}

export async function recordHeartbeat(db: Knex, agentId: number, runId: number, beat: HeartbeatRequest): Promise<HeartbeatResponse> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const run = await readOwnRun(db, agentId, runId);
    if (isFinal(run.status)) throw runFinishedError(run.status);
    const next = RANK[beat.status] > RANK[run.status] ? beat.status : run.status;
    const now = toDbTime();
    const changes = { ...progressColumns(beat), status: next, updated_at: now, ...(run.started_at ? {} : { started_at: now }) };
    const done = affected(await db('s3_cloudbackup_runs').where({ id: runId, status: run.status }).update(changes));
    if (done === 1) return { run_status: next, cancel_requested: Number(run.cancel_requested) === 1 || run.cancel_requested === true };
  }
  throw errors.conflict('Run status changed concurrently, retry', 'RUN_BUSY');
}

const COMMAND_OUTCOME = { success: 'completed', warning: 'completed', failed: 'failed', cancelled: 'failed' } as const;

/** Final status. Repeating the same finish is a no-op (the agent retries when it lost the answer). */
export async function finishRun(db: Knex, agentId: number, runId: number, finish: FinishRequest): Promise<{ run_status: RunStatus }> {
  const run = await readOwnRun(db, agentId, runId);
  const resultMessage = finish.status === 'cancelled' ? `Cancelled: ${finish.message}` : finish.message;
  if (run.status === finish.status) {
    await finishCommand(db, agentId, runId, COMMAND_OUTCOME[finish.status], resultMessage);
    return { run_status: run.status };
  }
  if (isFinal(run.status)) throw runFinishedError(run.status);
  const now = toDbTime();
  const changes: Record<string, unknown> = {
    ...(finish.progress ? progressColumns(finish.progress) : {}),
    status: finish.status,
    finished_at: now,
    updated_at: now,
    error_summary: finish.status === 'success' ? null : finish.message.slice(0, 2000),
    ...(finish.status === 'success' ? { progress_pct: 100 } : {}),
  };
  const done = affected(await db('s3_cloudbackup_runs').where({ id: runId, status: run.status }).update(changes));
  if (done !== 1) throw errors.conflict('Run status changed concurrently, retry', 'RUN_BUSY');
  await finishCommand(db, agentId, runId, COMMAND_OUTCOME[finish.status], resultMessage);
  return { run_status: finish.status };
}
