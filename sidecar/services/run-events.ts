// Run events: append (sidecar and agent API) and list with the rendered message (client API, live page).
import type { Knex } from 'knex';
import { isoTime, parseJsonColumn, toDbTime } from '../db/dialect.js';
import { EVENT_CATALOGUE, isMessageId, type EventLevel, type EventType, type MessageId } from '../lib/event-catalogue.js';
import { renderEventMessage } from '../lib/render-event.js';
import { TABLES } from '../db/tables.js';

export { EVENT_CATALOGUE, type MessageId } from '../lib/event-catalogue.js';
export { renderEventMessage } from '../lib/render-event.js';

export const EVENTS_TABLE = TABLES.events;
export const MAX_EVENTS_PER_CALL = 500;

export interface NewRunEvent {
  messageId: MessageId | string;
  params?: Record<string, unknown>;
  /** Default: the catalogue's type/level for the id (info for unknown ids). */
  type?: EventType;
  level?: EventLevel;
  /** Default: the message id (the reference stores code = message id when it has no other code). */
  code?: string;
  ts?: Date;
}

export interface RunEvent {
  id: number;
  ts: string | null;
  type: string;
  level: string;
  code: string | null;
  message_id: string | null;
  params: Record<string, unknown>;
  message: string;
}

interface EventRow {
  id: number | string;
  ts: unknown;
  type: string;
  level: string;
  code: string | null;
  message_id: string | null;
  params_json: string | null;
}

function toRow(runId: number, e: NewRunEvent, now: Date) {
  const entry = isMessageId(e.messageId) ? EVENT_CATALOGUE[e.messageId] : undefined;
  return {
    run_id: runId,
    ts: toDbTime(e.ts ?? now),
    type: e.type ?? entry?.type ?? 'info',
    level: e.level ?? entry?.level ?? 'info',
    code: (e.code ?? e.messageId).slice(0, 64),
    message_id: e.messageId.slice(0, 64),
    params_json: JSON.stringify(e.params ?? {}),
  };
}

// SQLite compiles a multi-row insert into a compound SELECT, which it caps at 500 terms.
const INSERT_BATCH = 100;

/** Inserts the events in order, in batches (works inside a transaction: pass the trx). */
export async function appendEvents(db: Knex, runId: number, events: readonly NewRunEvent[]): Promise<void> {
  const now = new Date();
  for (let i = 0; i < events.length; i += INSERT_BATCH) {
    await db(EVENTS_TABLE).insert(events.slice(i, i + INSERT_BATCH).map((e) => toRow(runId, e, now)));
  }
}

export function toRunEvent(row: EventRow): RunEvent {
  const params = parseJsonColumn<unknown>(row.params_json, {});
  const safeParams = params && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
  return {
    id: Number(row.id),
    ts: isoTime(row.ts),
    type: row.type,
    level: row.level,
    code: row.code,
    message_id: row.message_id,
    params: safeParams,
    message: renderEventMessage(row.message_id, safeParams),
  };
}

/**
 * An event as its client may read it: without `detail`, the agent's own words about a failure (host paths, the
 * repository's location), which only the admin page shows. The rendered message never uses it.
 */
export function clientEvent(event: RunEvent): RunEvent {
  if (!Object.hasOwn(event.params, 'detail')) return event;
  const params = { ...event.params };
  delete params.detail;
  return { ...event, params };
}

/** Events of one run with id > afterId, oldest first, at most `limit` (capped at MAX_EVENTS_PER_CALL). */
export async function listRunEvents(db: Knex, runId: number, afterId = 0, limit = MAX_EVENTS_PER_CALL): Promise<RunEvent[]> {
  const rows = (await db(EVENTS_TABLE)
    .select('id', 'ts', 'type', 'level', 'code', 'message_id', 'params_json')
    .where('run_id', runId)
    .andWhere('id', '>', afterId)
    .orderBy('id', 'asc')
    .limit(Math.min(Math.max(1, limit), MAX_EVENTS_PER_CALL))) as EventRow[];
  return rows.map(toRunEvent);
}
