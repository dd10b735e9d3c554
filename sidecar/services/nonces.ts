// Bridge nonces, stored in the database so a replay is refused by every sidecar instance, not only the one that
// saw the request first. The primary key makes "accept once" a single atomic insert.
import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect.js';

export const NONCES_TABLE = 's3_hyperv_restore_nonces';
const PRUNE_EVERY_MS = 60_000;

function isDuplicate(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Records the nonce until `expiresAt`; false when it was already recorded (a replay). */
export async function acceptNonce(db: Knex, nonce: string, expiresAt: Date): Promise<boolean> {
  try {
    await db(NONCES_TABLE).insert({ nonce, expires_at: toDbTime(expiresAt) });
    return true;
  } catch (err) {
    if (isDuplicate(err)) return false;
    throw err;
  }
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
