// Stores the events an agent pushes, each exactly once. The agent gives every event an id; the (run, id) pair is
// recorded in s3_hyperv_restore_event_keys in the same transaction as the event, so when a retried batch arrives
// the primary key refuses the key row, the transaction rolls back and the event is counted as a duplicate.
import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect.js';
import { AppError } from '../lib/errors.js';
import type { AgentEvent, EventsResponse } from '../schemas/agent.js';
import type { AgentAccountability } from './accountability.js';
import { appendEvents } from './run-events.js';
import { TABLES } from '../db/tables.js';

const DUPLICATE = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);
const SKEW_MS = 24 * 3600 * 1000;
/**
 * Far above what a restore reports (per disk a start, nine progress steps, an end and a few notices: under 1,000 for
 * the 64 disks a run may have), low enough that an agent cannot fill the event table through one run.
 */
export const MAX_EVENTS_PER_RUN = 2000;

function isDuplicate(thrown: unknown): boolean {
  const code = (thrown as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DUPLICATE.has(code);
}

/** The agent's own time keeps buffered events in order; an absurd clock falls back to ours. */
function eventTime(ts: string, now: Date): Date {
  const at = new Date(ts);
  return Math.abs(at.getTime() - now.getTime()) > SKEW_MS ? now : at;
}

async function storeOne(db: Knex, runId: number, event: AgentEvent, now: Date): Promise<boolean> {
  try {
    await db.transaction(async (trx) => {
      await trx(TABLES.eventKeys).insert({ run_id: runId, event_key: event.id, created_at: toDbTime(now) });
      await appendEvents(trx, runId, [{ messageId: event.message_id, params: event.params, type: event.type, level: event.level, ts: eventTime(event.ts, now) }]);
    });
    return true;
  } catch (thrown) {
    if (isDuplicate(thrown)) return false;
    throw thrown;
  }
}

/** 429 once this run's agent events would pass MAX_EVENTS_PER_RUN (every event an agent sent has a key row). */
export async function assertRoomForEvents(db: Knex, runId: number, adding: number): Promise<void> {
  const [row] = (await db(TABLES.eventKeys).where({ run_id: runId }).count({ n: '*' })) as { n: number | string }[];
  if (Number(row?.n ?? 0) + adding > MAX_EVENTS_PER_RUN) {
    throw new AppError('RUN_EVENTS_LIMIT', 429, `This run has reached its limit of ${MAX_EVENTS_PER_RUN} events`);
  }
}

/** Events of a run the agent owns (the route checked it with readOwnRun). */
export async function storeAgentEvents(db: Knex, _who: AgentAccountability, runId: number, events: AgentEvent[]): Promise<EventsResponse> {
  const now = new Date();
  let stored = 0;
  for (const event of events) if (await storeOne(db, runId, event, now)) stored++;
  return { stored, duplicates: events.length - stored };
}
