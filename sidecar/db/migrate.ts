// Runs the steps in sql/migrations that this database has not recorded, under a cluster-wide lock.
import type { Knex } from 'knex';
import { MIGRATIONS } from '../../sql/migrations/index.js';
import type { Migration } from '../../sql/migrations/types.js';
import { toDbTime, withNamedLock } from './dialect.js';
import { TABLES } from './tables.js';

export const MIGRATIONS_TABLE = TABLES.migrations;
const LOCK_NAME = 's3_hyperv_restore_migrate';

export interface SchemaStatus {
  version: string | null;
  pending: string[];
}

async function ensureBookkeeping(db: Knex): Promise<void> {
  if (await db.schema.hasTable(MIGRATIONS_TABLE)) return;
  await db.schema.createTable(MIGRATIONS_TABLE, (t) => {
    t.string('id', 128).primary();
    t.dateTime('applied_at').notNullable();
  });
}

async function appliedIds(db: Knex): Promise<Set<string>> {
  const rows = (await db(MIGRATIONS_TABLE).select('id')) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

export async function migrate(db: Knex, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  return withNamedLock(db, LOCK_NAME, 60, async (conn) => {
    await ensureBookkeeping(conn);
    const done = await appliedIds(conn);
    const ran: string[] = [];
    for (const step of migrations) {
      if (done.has(step.id)) continue;
      await step.up(conn);
      await conn(MIGRATIONS_TABLE).insert({ id: step.id, applied_at: toDbTime() });
      ran.push(step.id);
    }
    return ran;
  });
}

export async function schemaStatus(db: Knex, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaStatus> {
  const done = (await db.schema.hasTable(MIGRATIONS_TABLE)) ? await appliedIds(db) : new Set<string>();
  const applied = migrations.filter((m) => done.has(m.id));
  return {
    version: applied.length ? applied[applied.length - 1].id : null,
    pending: migrations.filter((m) => !done.has(m.id)).map((m) => m.id),
  };
}
