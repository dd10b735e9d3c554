// One knex instance from DATABASE_URL: MariaDB/MySQL (the WHMCS database) or SQLite (the embedded default).
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';

export type Db = Knex;

// knex prints pool errors to the console by itself; callers already get them as rejections (and log them).
const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} };

function sqliteFile(url: string): string {
  const rest = url.replace(/^sqlite:\/\//, '');
  if (rest === ':memory:') return rest;
  return isAbsolute(rest) ? rest : resolve(process.cwd(), rest);
}

/** What a MariaDB connection looks like to the pool hook (mysql2's Connection, the parts used here). */
interface MysqlConnection {
  query(sql: unknown, values?: unknown, cb?: unknown): unknown;
  destroy(): void;
}

type QueryCallback = (err: (Error & { code?: string }) | null, ...rest: unknown[]) => void;

// mysql2 has no default statement timeout: across a network partition (the server neither answers nor closes) a
// query waits for ever, the pool fills up with such connections and the sidecar never recovers. Every query gets a
// deadline; a connection whose query timed out is destroyed, so the pool drops it instead of reusing a connection
// whose protocol state is unknown. Timed-out queries surface as PROTOCOL_SEQUENCE_TIMEOUT (503, db/translate-error).
function withQueryDeadline(conn: MysqlConnection, timeoutMs: number): void {
  const query = conn.query.bind(conn);
  conn.query = (sql: unknown, values?: unknown, cb?: unknown) => {
    if (typeof sql !== 'object' || sql === null || typeof cb !== 'function') return query(sql, values, cb);
    const options = { timeout: timeoutMs, ...(sql as Record<string, unknown>) };
    return query(options, values, ((err, ...rest) => {
      if (err?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') conn.destroy();
      (cb as QueryCallback)(err, ...rest);
    }) satisfies QueryCallback);
  };
}

/** Default deadline of one MariaDB statement; the migrate CLI passes 0 (an ALTER on a big table may take long). */
export const QUERY_TIMEOUT_MS = 15_000;

export function createDb(databaseUrl: string, options: { poolMax?: number; queryTimeoutMs?: number } = {}): Db {
  if (databaseUrl.startsWith('sqlite://')) {
    const filename = sqliteFile(databaseUrl);
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      log: quiet,
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          // FKs are off by default in SQLite; WAL lets readers work while the agent API writes.
          conn.pragma('foreign_keys = ON');
          conn.pragma('journal_mode = WAL');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  }
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  // A local MariaDB is cheaper over its Unix socket: loopback TCP costs the sidecar a syscall-heavy write per query.
  const socketPath = url.searchParams.get('socket');
  return knexFactory({
    client: 'mysql2',
    connection: {
      ...(socketPath ? { socketPath } : { host: url.hostname, port: Number(url.port || 3306) }),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
      charset: 'utf8mb4',
      // Times travel as UTC strings in both dialects; see db/dialect.ts.
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      connectTimeout: 5000,
    },
    acquireConnectionTimeout: 10000,
    log: quiet,
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      afterCreate(conn: MysqlConnection, done: (err: Error | null, conn: unknown) => void) {
        const timeoutMs = options.queryTimeoutMs ?? QUERY_TIMEOUT_MS;
        if (timeoutMs > 0) withQueryDeadline(conn, timeoutMs);
        conn.query("SET time_zone = '+00:00'", undefined, (err: Error | null) => done(err, conn));
      },
    },
  });
}
