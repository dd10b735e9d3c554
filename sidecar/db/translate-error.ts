// Driver errors -> AppError. Connection failures become 503 so a load balancer can tell "down" from "broken".
import { AppError, MESSAGES } from '../lib/errors.js';

const UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_ACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'SQLITE_BUSY', 'SQLITE_CANTOPEN',
]);

export function isDbUnavailable(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE.has(code)) return true;
  return err.name === 'KnexTimeoutError' || /connect|Knex: Timeout acquiring a connection/i.test(err.message);
}

/** A unique or primary key already taken (MariaDB and SQLite spell it differently). */
export function isDuplicateKey(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function translateDbError(err: Error): AppError | null {
  if (isDbUnavailable(err)) return new AppError('DATABASE_UNAVAILABLE', 503, MESSAGES.DATABASE_UNAVAILABLE);
  if (isDuplicateKey(err)) return new AppError('CONFLICT', 409, 'Conflict');
  return null;
}
