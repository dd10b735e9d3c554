// One randomly named MariaDB database (or SQLite file) per test database, dropped when the run ends.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '../../sidecar/db/connection.js';
import { migrate } from '../../sidecar/db/migrate.js';
import { ensureModuleStorage } from '../../sidecar/demo/module-storage.js';
import { projectPath } from './paths.js';

export type Dialect = 'mariadb' | 'sqlite';

export interface TestDatabase {
  dialect: Dialect;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

const SERVER_URL = (process.env.TEST_DATABASE_URL || 'mysql://root@127.0.0.1:3306/').replace(/\/[^/]*$/, '/');
const cleanups = new Set<() => Promise<void>>();

/** The dialects the core tests run on; TEST_DIALECTS=mariadb narrows it. */
export function testDialects(): Dialect[] {
  const wanted = (process.env.TEST_DIALECTS || 'mariadb,sqlite').split(',').map((s) => s.trim());
  return (['mariadb', 'sqlite'] as const).filter((d) => wanted.includes(d));
}

export async function createTestDatabase(dialect: Dialect, options: { legacy?: boolean; migrated?: boolean } = {}): Promise<TestDatabase> {
  const made = dialect === 'mariadb' ? await createMariaDb() : createSqlite();
  if (options.legacy) await loadLegacySchema(made.db);
  if (options.migrated ?? true) {
    await migrate(made.db);
    // What a WHMCS with the cloudstorage module has and our migrations never make: its storage tables.
    await ensureModuleStorage(made.db);
  }
  return made;
}

async function createMariaDb(): Promise<TestDatabase> {
  const name = `hvr_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = createDb(SERVER_URL + 'mysql', { poolMax: 1 });
  await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
  const url = SERVER_URL + name;
  const db = createDb(url);
  const drop = async () => {
    cleanups.delete(drop);
    await db.destroy();
    await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
    await admin.destroy();
  };
  cleanups.add(drop);
  return { dialect: 'mariadb', url, db, drop };
}

function createSqlite(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'hvr-sqlite-'));
  const url = `sqlite://${join(dir, 'test.db')}`;
  const db = createDb(url);
  const drop = async () => {
    cleanups.delete(drop);
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(drop);
  return { dialect: 'sqlite', url, db, drop };
}

/** Builds the tables the way the existing WHMCS module does (MariaDB only: its DDL is MySQL's). */
export async function loadLegacySchema(db: Db): Promise<void> {
  const sql = readFileSync(projectPath('sql/legacy-module.sql'), 'utf8');
  const statements = sql.split(/;\s*\n/).map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter(Boolean);
  for (const statement of statements) await db.raw(statement);
}

export async function dropAllTestDatabases(): Promise<void> {
  for (const drop of [...cleanups]) await drop().catch(() => undefined);
}
