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

export function createDb(databaseUrl: string, options: { poolMax?: number } = {}): Db {
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
  return knexFactory({
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
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
      afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
        conn.query("SET time_zone = '+00:00'", (err) => done(err, conn));
      },
    },
  });
}
