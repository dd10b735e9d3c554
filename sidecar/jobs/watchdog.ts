// The restore watchdog (run every minute by the scheduler, on one instance at a time). Two cases end a restore the
// agent will never finish: a started run whose agent stopped sending heartbeats (AGENT_OFFLINE), and a queued run
// whose agent has not been seen for a day, so nobody will ever pick it up. Both end the run through finishRun, a
// compare-and-set, so even two instances ticking at once fail each run exactly once.
import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import type { Logger } from '../lib/log.js';
import { WATCHDOG } from '../services/accountability.js';
import { RESTORE_RUN_TYPE } from '../services/restores.js';
import { finishRun, RunFinishedBus } from '../services/run-lifecycle.js';
import type { NewRunEvent } from '../services/run-events.js';
import type { RunStatus } from '../services/run-status.js';
import type { PeriodicJob } from './scheduler.js';

/** A queued restore waits this long for an agent that is not seen at all before it is given up. */
export const QUEUED_AGENT_TIMEOUT_SECONDS = 24 * 3600;
const BATCH = 200;

export interface WatchdogOptions {
  timeoutSeconds: number;
  queuedAgentTimeoutSeconds?: number;
  now?: Date;
  /** Where the runs it ends are announced (default: a bus nobody listens to). */
  runFinished?: RunFinishedBus;
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

interface Tick {
  db: Knex;
  log: Logger;
  bus: RunFinishedBus;
  now: Date;
}

export async function runWatchdog(db: Knex, log: Logger, options: WatchdogOptions): Promise<WatchdogResult> {
  const now = options.now ?? new Date();
  const tick: Tick = { db, log, bus: options.runFinished ?? new RunFinishedBus(), now };
  const offline = await failSilentRuns(tick, new Date(now.getTime() - options.timeoutSeconds * 1000), options.timeoutSeconds);
  const queuedCutoff = new Date(now.getTime() - (options.queuedAgentTimeoutSeconds ?? QUEUED_AGENT_TIMEOUT_SECONDS) * 1000);
  const abandoned = await failAbandonedRuns(tick, queuedCutoff);
  return { offline, abandoned };
}

interface WatchdogFailure {
  from: readonly RunStatus[];
  summary: string;
  event: NewRunEvent;
  idleSince?: Date;
}

/** Fails one run through the one finish; true when this tick was the one that ended it. */
async function failRun(t: Tick, runId: number, f: WatchdogFailure): Promise<boolean> {
  const ended = await finishRun(t.db, t.bus, runId, 'failed', {
    actor: WATCHDOG, summary: f.summary, event: f.event, command: { outcome: 'failed', message: f.summary },
    onlyFrom: f.from, idleSince: f.idleSince, now: t.now,
  });
  return ended !== null;
}

async function failSilentRuns(t: Tick, cutoff: Date, timeoutSeconds: number): Promise<number[]> {
  const { db, log } = t;
  const rows = (await db(TABLES.runs)
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
    const event = { messageId: 'AGENT_OFFLINE', params: { last_heartbeat_at: last, watchdog_timeout_seconds: timeoutSeconds } };
    if (await failRun(t, runId, { from: ['starting', 'running'], summary, event, idleSince: cutoff })) {
      failed.push(runId);
      log.warn('restore failed by the watchdog: agent offline', { runId, lastHeartbeatAt: last });
    }
  }
  return failed;
}

async function failAbandonedRuns(t: Tick, cutoff: Date): Promise<number[]> {
  const { db, log } = t;
  const at = toDbTime(cutoff);
  // Waiting a day counts from the later of "queued" and "agent last seen": a fresh request gets its full day too.
  const rows = (await db(`${TABLES.runs} as r`)
    .leftJoin(`${TABLES.agents} as a`, 'a.id', 'r.agent_id')
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
    if (await failRun(t, runId, { from: ['queued'], summary, event: { messageId: 'HYPERV_RESTORE_FAILED', params: { message: summary } } })) {
      failed.push(runId);
      log.warn('queued restore failed by the watchdog: agent gone', { runId, agentLastSeenAt: last });
    }
  }
  return failed;
}

export const WATCHDOG_SCHEDULE = '* * * * *';

export function watchdogJob(db: Knex, log: Logger, options: { timeoutSeconds: number; schedule?: string; runFinished?: RunFinishedBus }): PeriodicJob {
  return {
    name: 'watchdog',
    cron: options.schedule ?? WATCHDOG_SCHEDULE,
    leaseSeconds: 300,
    run: async () => {
      const result = await runWatchdog(db, log, { timeoutSeconds: options.timeoutSeconds, runFinished: options.runFinished });
      if (result.offline.length || result.abandoned.length) log.info('watchdog tick', { offline: result.offline.length, abandoned: result.abandoned.length });
    },
  };
}
