// The few places where MariaDB and SQLite differ, in one module.
import type { Knex } from 'knex';

export function isSqlite(db: Knex): boolean {
  const client = db.client.config.client;
  return client === 'better-sqlite3' || client === 'sqlite3';
}

/** UTC 'YYYY-MM-DD HH:MM:SS': the one time format stored and read in both dialects. */
export function toDbTime(date: Date = new Date()): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Reads a stored time (string in both dialects, see connection.ts) as a Date; null stays null. */
export function fromDbTime(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const text = String(value);
  if (text.startsWith('0000-00-00')) return null;
  return new Date(text.includes('T') ? text : text.replace(' ', 'T') + 'Z');
}

const DB_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** A stored time as an ISO 8601 UTC string for the API, or null. The stored form converts by text alone: a listing
 * turns thousands of these per request, and parsing each into a Date showed in the profile. */
export function isoTime(value: unknown): string | null {
  if (typeof value === 'string' && DB_TIME.test(value) && !value.startsWith('0000-00-00')) return `${value.replace(' ', 'T')}.000Z`;
  return fromDbTime(value)?.toISOString() ?? null;
}

/** JSON columns come back as strings from MariaDB (JSON is LONGTEXT there) and SQLite alike. */
export function parseJsonColumn<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined || value === '') return fallback;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

/**
 * Runs fn while holding a cluster-wide named lock. MariaDB: GET_LOCK on one pinned connection (the lock belongs
 * to the connection). SQLite: one process owns the file, and its single pooled connection serialises work.
 */
export async function withNamedLock<T>(db: Knex, name: string, timeoutSeconds: number, fn: (conn: Knex) => Promise<T>): Promise<T> {
  if (isSqlite(db)) return fn(db);
  return db.transaction(async (trx) => {
    const [rows] = (await trx.raw('SELECT GET_LOCK(?, ?) AS got', [name, timeoutSeconds])) as [{ got: number | null }[]];
    if (rows[0]?.got !== 1) throw new Error(`could not take the database lock "${name}" within ${timeoutSeconds}s`);
    try {
      return await fn(trx);
    } finally {
      await trx.raw('SELECT RELEASE_LOCK(?)', [name]);
    }
  });
}

/** Number of rows a knex update/delete touched (both drivers return a number). */
export function affected(result: unknown): number {
  return typeof result === 'number' ? result : Number(result ?? 0);
}
