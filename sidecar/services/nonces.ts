// Bridge nonces, stored in the database so a replay is refused by every sidecar instance, not only the one that
// saw the request first. The primary key makes "accept once" an atomic insert. Nonces of concurrent requests go in
// one multi-row insert (a statement with a taken key inserts nothing), so a busy sidecar writes once per batch;
// only a batch holding a replay is retried row by row to tell which nonce was the replay.
import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect.js';
import { createTickBatcherPer } from '../lib/tick-batcher.js';
import { TABLES } from '../db/tables.js';
import { isDuplicateKey } from '../db/translate-error.js';

export const NONCES_TABLE = TABLES.nonces;
const PRUNE_EVERY_MS = 60_000;

interface NonceRow {
  nonce: string;
  expires_at: string;
}

/** True for each row inserted, false for each whose nonce was already there. */
async function insertNonces(db: Knex, rows: NonceRow[]): Promise<boolean[]> {
  try {
    await db(NONCES_TABLE).insert(rows);
    return rows.map(() => true);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    if (rows.length === 1) return [false];
    const accepted: boolean[] = [];
    for (const row of rows) accepted.push(...await insertNonces(db, [row]));
    return accepted;
  }
}

const acceptBatched = createTickBatcherPer(insertNonces);

/** Records the nonce until `expiresAt`; false when it was already recorded (a replay). */
export function acceptNonce(db: Knex, nonce: string, expiresAt: Date): Promise<boolean> {
  return acceptBatched(db, { nonce, expires_at: toDbTime(expiresAt) });
}

export async function pruneNonces(db: Knex, now: Date = new Date()): Promise<number> {
  return Number(await db(NONCES_TABLE).where('expires_at', '<', toDbTime(now)).delete());
}

/**
 * A pruner that deletes expired nonces at most once a minute per process (one indexed range delete), so the
 * table stays small without a delete on every request.
 */
export function createNoncePruner(db: Knex, onError: (err: unknown) => void): () => void {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < PRUNE_EVERY_MS) return;
    last = now;
    pruneNonces(db).catch(onError);
  };
}
