// Cluster-wide singletons: a lease row that one sidecar instance holds until it expires or is released.
// Portable (no GET_LOCK): an insert races on the primary key, a takeover is a conditional update.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { affected, toDbTime } from './dialect.js';
import { translateDbError } from './translate-error.js';
import { coerceError } from '../lib/errors.js';
import { TABLES } from './tables.js';

const TABLE = TABLES.leases;
export const INSTANCE_ID: string = randomUUID();

export async function tryAcquireLease(db: Knex, name: string, ttlSeconds: number, holder = INSTANCE_ID, now = new Date()): Promise<boolean> {
  const expiresAt = toDbTime(new Date(now.getTime() + ttlSeconds * 1000));
  try {
    await db(TABLE).insert({ name, holder, expires_at: expiresAt });
    return true;
  } catch (thrown) {
    if (translateDbError(coerceError(thrown))?.code !== 'CONFLICT') throw thrown;
  }
  const taken = await db(TABLE)
    .where({ name })
    .andWhere((q) => q.where('expires_at', '<', toDbTime(now)).orWhere({ holder }))
    .update({ holder, expires_at: expiresAt });
  return affected(taken) === 1;
}

export async function releaseLease(db: Knex, name: string, holder = INSTANCE_ID): Promise<void> {
  await db(TABLE).where({ name, holder }).update({ expires_at: toDbTime(new Date(0)) });
}

/** Runs fn only if this instance gets the lease; returns undefined when another instance holds it. */
export async function runExclusive<T>(db: Knex, name: string, ttlSeconds: number, fn: () => Promise<T>, holder = INSTANCE_ID): Promise<T | undefined> {
  if (!(await tryAcquireLease(db, name, ttlSeconds, holder))) return undefined;
  try {
    return await fn();
  } finally {
    await releaseLease(db, name, holder).catch(() => undefined);
  }
}
