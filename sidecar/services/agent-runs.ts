// What an agent may do to a run it claimed: report status + progress (heartbeat) and finish it. Status changes go
// through run-status.ts (forward only, compare-and-set), so a late heartbeat never undoes a cancel or the watchdog.
import type { Knex } from 'knex';
import { affected, toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { AppError, errors } from '../lib/errors.js';
import type { FinishRequest, HeartbeatRequest, HeartbeatResponse, ProgressReport } from '../schemas/agent.js';
import type { AgentAccountability } from './accountability.js';
import { agentOwnsRun } from './commands.js';
import { finishRun, type RunFinishedBus } from './run-lifecycle.js';
import { canTransition, isTerminal, transitionRun, type RunStatus } from './run-status.js';
import { clampProgress, saneFinalStatus, type RecordedProgress } from './agent-report-sanity.js';
import { parseDiskProgress } from './run-progress.js';

export interface OwnRun {
  id: number;
  status: RunStatus;
  cancelRequested: boolean;
  /** What is recorded so far: a report may not go back from it (agent-report-sanity.ts). */
  progress: RecordedProgress;
}

interface OwnRunRow {
  id: number;
  status: RunStatus;
  cancel_requested: unknown;
  bytes_total: unknown;
  bytes_transferred: unknown;
  progress_pct: unknown;
  progress_json: unknown;
}

const count = (v: unknown) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : 0);

export const runFinishedError = (status: string) => new AppError('RUN_FINISHED', 409, `Run is already finished (${status})`);
const busy = () => errors.conflict('Run status changed concurrently, retry', 'RUN_BUSY');

export async function readOwnRun(db: Knex, who: AgentAccountability, runId: number): Promise<OwnRun> {
  // A run of another agent answers exactly like a missing one.
  if (!(await agentOwnsRun(db, who.agentId, runId))) throw errors.runNotFound();
  const row = (await db(TABLES.runs).where({ id: runId })
    .first('id', 'status', 'cancel_requested', 'bytes_total', 'bytes_transferred', 'progress_pct', 'progress_json')) as OwnRunRow | undefined;
  if (!row) throw errors.runNotFound();
  const progress = { bytesTotal: count(row.bytes_total), bytesDone: count(row.bytes_transferred), percent: count(row.progress_pct), disks: parseDiskProgress(row.progress_json) };
  return { id: Number(row.id), status: row.status, cancelRequested: Number(row.cancel_requested) === 1, progress };
}

function progressColumns(run: OwnRun, report: ProgressReport): Record<string, unknown> {
  const p = clampProgress(report, run.progress);
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

/** Moves the run forward to the reported status when that is a move forward; otherwise records progress only. */
async function applyHeartbeat(db: Knex, run: OwnRun, beat: HeartbeatRequest): Promise<RunStatus | null> {
  const set = progressColumns(run, beat);
  if (run.status !== beat.status && canTransition(run.status, beat.status)) {
    return (await transitionRun(db, run.id, beat.status, { set, onlyFrom: [run.status] })) ? beat.status : null;
  }
  const changed = await db(TABLES.runs).where({ id: run.id, status: run.status }).update({ ...set, updated_at: toDbTime() });
  return affected(changed) === 1 ? run.status : null;
}

export async function recordHeartbeat(db: Knex, who: AgentAccountability, runId: number, beat: HeartbeatRequest): Promise<HeartbeatResponse> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const run = await readOwnRun(db, who, runId);
    if (isTerminal(run.status)) throw runFinishedError(run.status);
    const status = await applyHeartbeat(db, run, beat);
    if (status) return { run_status: status, cancel_requested: run.cancelRequested };
  }
  throw busy();
}

const COMMAND_OUTCOME = { success: 'completed', warning: 'completed', failed: 'failed', cancelled: 'failed' } as const;

/**
 * Final status, as far as the reported disks allow it (saneFinalStatus). Repeating the same finish is a no-op (the
 * agent retries when it lost the answer).
 */
export async function finishAgentRun(
  db: Knex, who: AgentAccountability, runId: number, reported: FinishRequest, bus: RunFinishedBus,
): Promise<{ run_status: RunStatus }> {
  let run = await readOwnRun(db, who, runId);
  const finish = { ...reported, ...saneFinalStatus(reported.status, reported.message, reported.progress?.disks ?? run.progress.disks) };
  if (run.status === 'starting' && (finish.status === 'success' || finish.status === 'warning')) {
    // Every heartbeat that would have said "running" was lost (sidecar or database down during the restore), yet the
    // agent did run it: record that step first, so the state machine keeps its order.
    await transitionRun(db, runId, 'running', { onlyFrom: ['starting'] });
    run = await readOwnRun(db, who, runId);
  }
  if (run.status === finish.status) return { run_status: finish.status };
  if (isTerminal(run.status)) throw runFinishedError(run.status);
  if (!canTransition(run.status, finish.status)) {
    throw errors.conflict(`Run cannot move from ${run.status} to ${finish.status}`, 'RUN_TRANSITION');
  }
  const ended = await finishRun(db, bus, runId, finish.status, {
    actor: who,
    summary: finish.status === 'success' ? null : finish.message.slice(0, 2000),
    set: { ...(finish.progress ? progressColumns(run, finish.progress) : {}), ...(finish.status === 'success' ? { progress_pct: 100 } : {}) },
    onlyFrom: [run.status],
    command: {
      outcome: COMMAND_OUTCOME[finish.status],
      message: finish.status === 'cancelled' ? `Cancelled: ${finish.message}` : finish.message,
    },
  });
  if (!ended) throw busy();
  return { run_status: finish.status };
}
