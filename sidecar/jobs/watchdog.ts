// The restore watchdog (run every minute by the scheduler, on one instance at a time). Two cases end a restore the
// agent will never finish: a started run whose agent stopped sending heartbeats (AGENT_OFFLINE), and a queued run
// whose agent has not been seen for a day, so nobody will ever pick it up. Every change is a compare-and-set through
// transitionRun, so even two instances ticking at once fail each run exactly once.
import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from '../db/dialect.js';
import type { Logger } from '../lib/log.js';
import { retireRunCommands } from '../services/commands.js';
import { RESTORE_RUN_TYPE } from '../services/restores.js';
import { appendEvents } from '../services/run-events.js';
import { RUNS_TABLE, transitionRun } from '../services/run-status.js';
import type { PeriodicJob } from './scheduler.js';

/** A queued restore waits this long for an agent that is not seen at all before it is given up. */
export const QUEUED_AGENT_TIMEOUT_SECONDS = 24 * 3600;
const BATCH = 200;

export interface WatchdogOptions {
  timeoutSeconds: number;
  queuedAgentTimeoutSeconds?: number;
  now?: Date;
}

export interface WatchdogResult {
  /** Runs failed for a missing heartbeat. */
  offline: number[];
  /** Queued runs failed because their agent is gone. */
  abandoned: number[];
}

interface StaleRow {
  id: number | string;
  last: unknown;
}

const iso = (value: unknown) => fromDbTime(value)?.toISOString() ?? 'never';

export async function runWatchdog(db: Knex, log: Logger, options: WatchdogOptions): Promise<WatchdogResult> {
  const now = options.now ?? new Date();
  const offline = await failSilentRuns(db, log, new Date(now.getTime() - options.timeoutSeconds * 1000), options.timeoutSeconds, now);
  const queuedCutoff = new Date(now.getTime() - (options.queuedAgentTimeoutSeconds ?? QUEUED_AGENT_TIMEOUT_SECONDS) * 1000);
  const abandoned = await failAbandonedRuns(db, log, queuedCutoff, now);
  return { offline, abandoned };
}

async function failSilentRuns(db: Knex, log: Logger, cutoff: Date, timeoutSeconds: number, now: Date): Promise<number[]> {
  const rows = (await db(RUNS_TABLE)
    .where('run_type', RESTORE_RUN_TYPE)
    .whereIn('status', ['starting', 'running'])
    .whereRaw('COALESCE(updated_at, started_at, created_at) < ?', [toDbTime(cutoff)])
    .orderBy('id')
    .limit(BATCH)
    .select('id', db.raw('COALESCE(updated_at, started_at, created_at) as last'))) as StaleRow[];
  const failed: number[] = [];
  for (const row of rows) {
    const runId = Number(row.id);
    const last = iso(row.last);
    const summary = `Agent offline: no heartbeat since ${last} (timeout ${timeoutSeconds} s)`;
    const moved = await db.transaction(async (trx) => {
      if (!(await transitionRun(trx, runId, 'failed', { onlyFrom: ['starting', 'running'], idleSince: cutoff, now, set: { error_summary: summary } }))) return false;
      await appendEvents(trx, runId, [{ messageId: 'AGENT_OFFLINE', params: { last_heartbeat_at: last, watchdog_timeout_seconds: timeoutSeconds } }]);
      await retireRunCommands(trx, runId, summary);
      return true;
    });
    if (moved) {
      failed.push(runId);
      log.warn('restore failed by the watchdog: agent offline', { runId, lastHeartbeatAt: last });
    }
  }
  return failed;
}

async function failAbandonedRuns(db: Knex, log: Logger, cutoff: Date, now: Date): Promise<number[]> {
  const at = toDbTime(cutoff);
  // Waiting a day counts from the later of "queued" and "agent last seen": a fresh request gets its full day too.
  const rows = (await db(`${RUNS_TABLE} as r`)
    .leftJoin('s3_cloudbackup_agents as a', 'a.id', 'r.agent_id')
    .where('r.run_type', RESTORE_RUN_TYPE)
    .where('r.status', 'queued')
    .where('r.created_at', '<', at)
    .where((w) => w.whereNull('a.last_seen_at').orWhere('a.last_seen_at', '<', at))
    .orderBy('r.id')
    .limit(BATCH)
    .select('r.id', 'a.last_seen_at as last')) as StaleRow[];
  const failed: number[] = [];
  for (const row of rows) {
    const runId = Number(row.id);
    const last = iso(row.last);
    const summary = last === 'never'
      ? 'The agent has never contacted the sidecar, so the restore could not start'
      : `The agent has not been seen since ${last}, so the restore could not start`;
    const moved = await db.transaction(async (trx) => {
      if (!(await transitionRun(trx, runId, 'failed', { onlyFrom: ['queued'], now, set: { error_summary: summary } }))) return false;
      await appendEvents(trx, runId, [{ messageId: 'HYPERV_RESTORE_FAILED', params: { message: summary } }]);
      await retireRunCommands(trx, runId, summary);
      return true;
    });
    if (moved) {
      failed.push(runId);
      log.warn('queued restore failed by the watchdog: agent gone', { runId, agentLastSeenAt: last });
    }
  }
  return failed;
}

export const WATCHDOG_SCHEDULE = '* * * * *';

export function watchdogJob(db: Knex, log: Logger, options: { timeoutSeconds: number; schedule?: string }): PeriodicJob {
  return {
    name: 'watchdog',
    cron: options.schedule ?? WATCHDOG_SCHEDULE,
    leaseSeconds: 300,
    run: async () => {
      const result = await runWatchdog(db, log, { timeoutSeconds: options.timeoutSeconds });
      if (result.offline.length || result.abandoned.length) log.info('watchdog tick', { offline: result.offline.length, abandoned: result.abandoned.length });
    },
  };
}
