// s3_cloudbackup_runs: its columns, its row type and the one read model of a restore run that the client's and the
// admin's views are both built from (so a run shows the same progress wherever it is shown).
import { isoTime, parseJsonColumn } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { progressView, type ProgressColumns } from '../services/run-progress.js';
import { isRunStatus, isTerminal, type RunStatus } from '../services/run-status.js';

export const RUNS = TABLES.runs;

/** The columns toRun reads, for a query that names the runs table `r`. */
export const RUN_COLUMNS = [
  'r.id', 'r.run_uuid', 'r.job_id', 'r.agent_id', 'r.status', 'r.cancel_requested', 'r.created_at', 'r.started_at', 'r.finished_at',
  'r.updated_at', 'r.progress_pct', 'r.bytes_total', 'r.bytes_transferred', 'r.speed_bytes_per_sec', 'r.eta_seconds', 'r.current_item',
  'r.error_summary', 'r.stats_json', 'r.progress_json',
] as const;

export interface RunRow extends ProgressColumns {
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

export type RunProgress = ReturnType<typeof progressView>;

export interface Run extends RunProgress {
  id: number;
  uuid: string | null;
  jobId: number;
  agentId: number | null;
  /** 'queued' for a value outside the contract (a row written by something else), so the state machine stays closed. */
  status: RunStatus;
  isFinished: boolean;
  cancelRequested: boolean;
  errorSummary: string | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string | null;
  stats: Record<string, unknown>;
}

export function toRun(row: RunRow): Run {
  const status = isRunStatus(row.status) ? row.status : 'queued';
  return {
    id: Number(row.id),
    uuid: row.run_uuid,
    jobId: Number(row.job_id),
    agentId: row.agent_id === null || row.agent_id === undefined ? null : Number(row.agent_id),
    status,
    isFinished: isTerminal(status),
    cancelRequested: Boolean(Number(row.cancel_requested)),
    errorSummary: row.error_summary,
    createdAt: isoTime(row.created_at),
    startedAt: isoTime(row.started_at),
    finishedAt: isoTime(row.finished_at),
    updatedAt: isoTime(row.updated_at),
    stats: parseJsonColumn<Record<string, unknown>>(row.stats_json, {}),
    ...progressView(row),
  };
}
