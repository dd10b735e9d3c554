import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Db } from '../../sidecar/db/connection.js';
import { MIGRATIONS_TABLE, migrate, schemaStatus } from '../../sidecar/db/migrate.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/database.js';
import { projectPath } from '../helpers/paths.js';

const run = promisify(execFile);
const REFERENCE = JSON.parse(readFileSync(projectPath('test/fixtures/reference-columns.json'), 'utf8')) as Record<string, string[]>;
const TABLES = Object.keys(REFERENCE).filter((k) => !k.startsWith('_'));

interface ColumnShape { COLUMN_NAME: string; COLUMN_TYPE: string; IS_NULLABLE: string; COLUMN_DEFAULT: string | null; EXTRA: string }

async function mariaColumns(db: Db, table: string): Promise<Record<string, ColumnShape>> {
  const [rows] = (await db.raw(
    'SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [table],
  )) as [ColumnShape[]];
  return Object.fromEntries(rows.map((r) => [r.COLUMN_NAME, { ...r }]));
}

async function allRows(db: Db, table: string): Promise<Record<string, unknown>[]> {
  return (await db(table).select('*').orderBy('id')) as Record<string, unknown>[];
}

/** Rows in every table, as the existing module would have them (including columns we never use). */
async function seedLegacyRows(db: Db): Promise<void> {
  await db('s3_cloudbackup_agents').insert({ id: 1, client_id: 10, agent_token: 'tok-legacy-1', hostname: 'hv01', agent_version: '1.2.3', last_seen_at: '2026-01-02 03:04:05' });
  await db('s3_cloudbackup_jobs').insert({ id: 1, client_id: 10, agent_id: 1, s3_user_id: 4, name: 'Nightly Hyper-V', source_type: 'hyperv', engine: 'hyperv', schedule_type: 'daily', schedule_time: '02:00:00', retention_mode: 'keep_last_n', retention_value: 7, hyperv_enabled: 1, hyperv_config: '{"vms":["a"]}', dest_prefix: 'backups/client10' });
  await db('s3_cloudbackup_runs').insert({ id: 1, run_uuid: '11111111-2222-3333-4444-555555555555', job_id: 1, agent_id: 1, status: 'success', engine: 'hyperv', bytes_processed: 1234, objects_total: 3, validation_status: 'ok', stats_json: '{"a":1}', created_at: '2026-01-02 03:00:00', finished_at: '2026-01-02 03:10:00' });
  await db('s3_cloudbackup_run_commands').insert({ id: 1, run_id: 1, type: 'maintenance_quick', payload_json: '{}', status: 'completed', result_message: 'ok' });
  await db('s3_cloudbackup_run_events').insert({ id: 1, run_id: 1, ts: '2026-01-02 03:00:01', type: 'start', level: 'info', code: 'X', message_id: 'BACKUP_STARTING', params_json: '{}' });
  await db('s3_hyperv_vms').insert({ id: 1, job_id: 1, vm_name: 'web01', vm_guid: 'guid-1', notes: 'legacy column' });
  await db('s3_hyperv_backup_points').insert({ id: 1, vm_id: 1, run_id: 1, backup_type: 'Full', manifest_id: 'a'.repeat(32), disk_manifests: JSON.stringify({ 'C:\\VMs\\web01.vhdx': 'a'.repeat(32) }), consistency_level: 'Application', created_at: '2026-01-02 03:10:00' });
}

describe('Schema migrations', function () {
  for (const dialect of testDialects()) {
    describe(`on an empty ${dialect} database`, function () {
      let t: TestDatabase;
      before(async () => { t = await createTestDatabase(dialect, { migrated: false }); });
      after(async () => t.drop());

      it('Can create every table and column of the reference system', async () => {
        const ran = await migrate(t.db);
        assert.deepEqual(ran, ['0001-reference-tables', '0002-restore-tables', '0003-restore-indexes', '0004-agent-event-keys', '0005-restore-targets', '0006-own-restore-command-type', '0007-restore-notices']);
        for (const table of TABLES) {
          const info = await t.db(table).columnInfo();
          for (const column of REFERENCE[table]) assert.ok(column in info, `${table}.${column} missing`);
        }
        assert.ok(await t.db.schema.hasTable(MIGRATIONS_TABLE));
      });

      it('Cannot create the module\'s storage tables or the jobs\' destination columns: they are the module\'s', async () => {
        for (const table of ['s3_buckets', 's3_user_access_keys', 'tbladdonmodules']) assert.equal(await t.db.schema.hasTable(table), false, table);
        const jobs = await t.db('s3_cloudbackup_jobs').columnInfo();
        for (const column of ['s3_user_id', 'dest_bucket_id', 'dest_prefix', 'dest_type', 'dest_local_path']) assert.ok(!(column in jobs), column);
      });

      it('Can run a second time without changing anything', async () => {
        const before = await Promise.all(TABLES.map((table) => t.db(table).columnInfo()));
        assert.deepEqual(await migrate(t.db), []);
        const afterwards = await Promise.all(TABLES.map((table) => t.db(table).columnInfo()));
        assert.deepEqual(afterwards, before);
        assert.deepEqual((await schemaStatus(t.db)).pending, []);
      });

      it('Can store and read back the restore rows (foreign keys enforced)', async () => {
        await t.db('s3_cloudbackup_jobs').insert({ id: 5, client_id: 1, name: 'j' });
        await assert.rejects(t.db('s3_hyperv_vms').insert({ job_id: 999, vm_name: 'orphan' }));
        await t.db('s3_hyperv_vms').insert({ id: 7, job_id: 5, vm_name: 'vm' });
        await t.db('s3_cloudbackup_jobs').where({ id: 5 }).delete();
        assert.equal((await t.db('s3_hyperv_vms').where({ id: 7 })).length, 0, 'cascade from jobs to VMs');
      });
    });
  }

  if (testDialects().includes('mariadb')) {
    describe('on a database the existing module created (mariadb)', function () {
      let legacy: TestDatabase;
      let fresh: TestDatabase;
      const columnsBefore: Record<string, Record<string, ColumnShape>> = {};
      const rowsBefore: Record<string, Record<string, unknown>[]> = {};
      const legacyTables = TABLES.filter((name) => name !== 's3_hyperv_vm_disks');

      before(async () => {
        legacy = await createTestDatabase('mariadb', { legacy: true, migrated: false });
        fresh = await createTestDatabase('mariadb');
        await seedLegacyRows(legacy.db);
        for (const table of ['s3_buckets', 's3_user_access_keys', 'tbladdonmodules']) columnsBefore[table] = await mariaColumns(legacy.db, table);
        for (const table of legacyTables) {
          columnsBefore[table] = await mariaColumns(legacy.db, table);
          rowsBefore[table] = await allRows(legacy.db, table);
        }
        assert.equal(await legacy.db.schema.hasTable('s3_hyperv_vm_disks'), false);
      });
      after(async () => { await legacy.drop(); await fresh.drop(); });

      it('Can migrate, keeping every existing column and row unchanged', async () => {
        await migrate(legacy.db);
        for (const table of legacyTables) {
          const now = await mariaColumns(legacy.db, table);
          for (const [name, shape] of Object.entries(columnsBefore[table])) assert.deepEqual(now[name], shape, `${table}.${name} changed`);
          const rows = await allRows(legacy.db, table);
          assert.equal(rows.length, rowsBefore[table].length);
          rows.forEach((row, i) => {
            for (const [key, value] of Object.entries(rowsBefore[table][i])) assert.deepEqual(row[key], value, `${table}.${key} row ${i}`);
          });
        }
      });

      it('Can add only what was missing', async () => {
        const added = (table: string) => mariaColumns(legacy.db, table).then((now) => Object.keys(now).filter((c) => !(c in columnsBefore[table])));
        assert.ok(await legacy.db.schema.hasTable('s3_hyperv_vm_disks'));
        assert.deepEqual(await added('s3_cloudbackup_runs'), ['run_type']);
        assert.deepEqual(await added('s3_cloudbackup_run_commands'), ['agent_id']);
        for (const table of ['s3_cloudbackup_jobs', 's3_cloudbackup_agents', 's3_cloudbackup_run_events', 's3_hyperv_vms', 's3_hyperv_backup_points']) {
          assert.deepEqual(await added(table), [], `${table} gained columns`);
        }
        for (const table of ['s3_buckets', 's3_user_access_keys', 'tbladdonmodules']) {
          assert.deepEqual(await mariaColumns(legacy.db, table), columnsBefore[table], `${table} changed`);
        }
      });

      it('Can create columns of the same types as the existing module on a fresh database', async () => {
        const baseType = (shape: ColumnShape) => shape.COLUMN_TYPE.replace(/\(\d+\)/, (m) => (/^(tinyint|int|bigint)/.test(shape.COLUMN_TYPE) ? '' : m));
        for (const table of legacyTables) {
          const made = await mariaColumns(fresh.db, table);
          for (const [name, shape] of Object.entries(made)) {
            const existing = columnsBefore[table][name];
            if (!existing) continue;
            assert.equal(baseType(shape), baseType(existing), `${table}.${name}: ${shape.COLUMN_TYPE} vs ${existing.COLUMN_TYPE}`);
          }
        }
      });

      it('Can run `npm run migrate` again as a no-op', async () => {
        const snapshot = await Promise.all(TABLES.map((table) => mariaColumns(legacy.db, table)));
        const { stdout } = await run(process.execPath, [projectPath('dist/sidecar/cli/migrate.js')], { env: { ...process.env, DATABASE_URL: legacy.url } });
        assert.match(stdout, /already up to date/);
        assert.deepEqual(await Promise.all(TABLES.map((table) => mariaColumns(legacy.db, table))), snapshot);
      });
    });
  }
});
