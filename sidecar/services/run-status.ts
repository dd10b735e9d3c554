// The run state machine (contract): queued -> starting -> running -> success | warning | failed | cancelled, and
// queued -> cancelled | failed. Status only moves forward; a finished run never changes again. Every status
// write goes through transitionRun, a conditional UPDATE, so two writers (agent, client cancel, watchdog) racing
// on one run cannot move it backwards: the loser's WHERE no longer matches.
import type { Knex } from 'knex';
import { affected, toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { FINAL_STATUSES, RUN_STATUSES, type FinalStatus, type RunStatus } from '../schemas/agent.js';

export const RUNS_TABLE = TABLES.runs;

export { RUN_STATUSES, type RunStatus } from '../schemas/agent.js';

export const ACTIVE_STATUSES = ['queued', 'starting', 'running'] as const satisfies readonly RunStatus[];
/** The contract's final statuses: a run in one of these never changes again. */
export const TERMINAL_STATUSES = FINAL_STATUSES;
export type TerminalStatus = FinalStatus;

/** For each status, the statuses a run may be in just before it. `running` may skip `starting`. */
const ALLOWED_FROM: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: [],
  starting: ['queued'],
  running: ['queued', 'starting'],
  success: ['running'],
  warning: ['running'],
  failed: ['queued', 'starting', 'running'],
  cancelled: ['queued', 'starting', 'running'],
};

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function allowedPrevious(to: RunStatus): readonly RunStatus[] {
  return ALLOWED_FROM[to];
}

export function canTransition(from: string, to: RunStatus): boolean {
  return (ALLOWED_FROM[to] as readonly string[]).includes(from);
}

export interface TransitionOptions {
  /** Further columns to set in the same statement (progress, error_summary, ...). */
  set?: Record<string, unknown>;
  /** Narrows the allowed previous statuses further (e.g. only from 'queued'). */
  onlyFrom?: readonly RunStatus[];
  /** Only when the run has not been written since this time (the watchdog must not fail a run a heartbeat just saved). */
  idleSince?: Date;
  now?: Date;
}

/**
 * Moves run `runId` to `to` when its current status allows it. Returns true when the row changed, false when the
 * run is missing or its status does not allow the move (the caller decides whether that is a 409).
 * Sets updated_at, started_at (first time it starts) and finished_at (terminal statuses).
 */
export async function transitionRun(db: Knex, runId: number, to: RunStatus, options: TransitionOptions = {}): Promise<boolean> {
  const from = options.onlyFrom ? ALLOWED_FROM[to].filter((s) => options.onlyFrom?.includes(s)) : ALLOWED_FROM[to];
  if (from.length === 0) return false;
  const now = toDbTime(options.now ?? new Date());
  const update: Record<string, unknown> = { ...options.set, status: to, updated_at: now };
  if (to === 'starting' || to === 'running') update.started_at = db.raw('COALESCE(started_at, ?)', [now]);
  if (isTerminal(to)) update.finished_at = now;
  const query = db(RUNS_TABLE).where('id', runId).whereIn('status', [...from]);
  if (options.idleSince) query.whereRaw('COALESCE(updated_at, started_at, created_at) < ?', [toDbTime(options.idleSince)]);
  const changed = await query.update(update);
  return affected(changed) === 1;
}
