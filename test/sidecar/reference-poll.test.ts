// On a WHMCS where the cloudstorage module's own backup agent also runs: its command poll (agent_poll_pending_commands.php,
// reference-server.md §5.2, run-bound query) must never hand out our restores, while our agent still claims them; and
// the migration moves our restores queued before they had their own type, never the module's commands.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Db } from '../../sidecar/db/connection.js';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { migrate } from '../../sidecar/db/migrate.js';
import { MIGRATIONS } from '../../sql/migrations/index.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/database.js';
import { seedFixtures, type Fixtures } from '../helpers/fixtures.js';
import { clientPost, createTestAppOn, type TestApp } from '../helpers/http.js';

/** The module's run-bound poll query, as its agent_poll_pending_commands.php runs it for one agent. */
async function referencePoll(db: Db, agent: { id: number; clientId: number }): Promise<{ id: number; type: string }[]> {
  const [rows] = (await db.raw(
    `SELECT c.id, c.type, c.payload_json, c.run_id, r.job_id, r.log_ref AS manifest_id, j.source_path, j.engine, j.dest_bucket_id,
            j.dest_prefix, j.dest_type, j.dest_local_path, j.s3_user_id, j.local_bandwidth_limit_kbps
       FROM s3_cloudbackup_run_commands c
       JOIN s3_cloudbackup_runs r ON c.run_id = r.id
       JOIN s3_cloudbackup_jobs j ON r.job_id = j.id
      WHERE c.status = 'pending' AND j.client_id = ? AND j.source_type = 'local_agent' AND j.agent_id = ?
        AND c.type IN ('restore', 'hyperv_restore', 'maintenance_quick', 'maintenance_full')
      ORDER BY c.id ASC LIMIT 5`,
    [agent.clientId, agent.id],
  )) as [{ id: number; type: string }[]];
  return rows.map((r) => ({ id: Number(r.id), type: r.type }));
}

const agentHeaders = (f: Fixtures['a']) => ({ 'X-Agent-ID': String(f.agentId), 'X-Agent-Token': f.agentToken });

if (testDialects().includes('mariadb')) {
  describe('Reference module poll (mariadb, the module\'s own schema)', function () {
    this.timeout(60_000);

    describe('after our sidecar queued a restore', function () {
      let t: TestApp;
      let f: Fixtures;

      before(async () => {
        t = createTestAppOn(await createTestDatabase('mariadb', { legacy: true }));
        f = await seedFixtures(t.db);
        // As the module records a job its agent backs up: otherwise the query would skip the job for another reason.
        await t.db('s3_cloudbackup_jobs').where('id', f.a.jobId).update({ source_type: 'local_agent' });
      });
      after(async () => t.drop());

      it('Cannot be handed out by the module\'s poll, while our agent claims it with its job\'s repository', async () => {
        const started = await clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { backup_point_id: f.a.fullPointId, target_path: 'C:\\Restored' }).expect(200);
        const agent = { id: f.a.agentId, clientId: f.a.clientId };
        assert.deepEqual(await referencePoll(t.db, agent), []);
        // The same query does find a command of the module's own restore type on this very job (the query is live).
        const backupRun = await t.db('s3_cloudbackup_runs').where({ job_id: f.a.jobId, status: 'success' }).first('id');
        const [moduleCommand] = await t.db('s3_cloudbackup_run_commands').insert({ run_id: backupRun.id, type: 'hyperv_restore', status: 'pending', payload_json: '{}', created_at: toDbTime() });
        assert.deepEqual(await referencePoll(t.db, agent), [{ id: Number(moduleCommand), type: 'hyperv_restore' }]);

        const claimed = await request(t.app).post('/agent/commands/claim').set(agentHeaders(f.a)).expect(200);
        assert.equal(claimed.body.command.command_id, started.body.command_id);
        assert.equal(claimed.body.command.type, 'hypervrestore_restore');
        assert.equal(claimed.body.command.repository.type, 's3');
        const run = await t.db('s3_cloudbackup_runs').where('id', started.body.restore_run_id).first('run_type', 'status');
        assert.deepEqual([run.run_type, run.status], ['hyperv_restore', 'starting'], 'the run keeps the type the module\'s pages know');
        assert.equal((await request(t.app).post('/agent/commands/claim').set(agentHeaders(f.a)).expect(200)).body.command, null, 'our agent never takes the module\'s command');
        assert.equal((await t.db('s3_cloudbackup_run_commands').where('id', moduleCommand).first('status')).status, 'pending');
      });
    });

    describe('migrating restores queued before they had a type of their own', function () {
      let database: TestDatabase;

      before(async () => {
        database = await createTestDatabase('mariadb', { legacy: true, migrated: false });
        await migrate(database.db, MIGRATIONS.filter((m) => m.id < '0006'));
      });
      after(async () => database.drop());

      it('Can move our pending and in-hand restores to the new type, leaving the module\'s commands and finished history alone', async () => {
        const db = database.db;
        const f = await seedFixtures(db);
        await db('s3_cloudbackup_jobs').where('id', f.a.jobId).update({ source_type: 'local_agent' });
        const ours = { type: 'hyperv_restore', requested_by: { client_id: f.a.clientId, admin_id: null } };
        const restoreRun = async (status: string, stats: unknown) => Number((await db('s3_cloudbackup_runs').insert({
          job_id: f.a.jobId, agent_id: f.a.agentId, status, run_type: 'hyperv_restore', stats_json: stats === null ? null : JSON.stringify(stats),
        }))[0]);
        const command = async (runId: number, status: string, agentId: number | null = f.a.agentId) => Number((await db('s3_cloudbackup_run_commands').insert({
          run_id: runId, agent_id: agentId, type: 'hyperv_restore', status, payload_json: '{}',
        }))[0]);
        const pending = await command(await restoreRun('queued', ours), 'pending');
        const inHand = await command(await restoreRun('running', ours), 'processing');
        const finished = await command(await restoreRun('success', ours), 'completed');
        // The module's own: its restore run carries no requested_by, its command no agent_id.
        const moduleRun = await restoreRun('queued', { type: 'hyperv_restore', vm_id: f.a.vmId });
        const modulePending = await command(moduleRun, 'pending', null);
        const backupRun = (await db('s3_cloudbackup_runs').where({ job_id: f.a.jobId, status: 'success' }).whereNull('run_type').first('id')).id as number;
        const moduleOnBackupRun = await command(Number(backupRun), 'pending', null);
        const before = await db('s3_cloudbackup_run_commands').whereIn('id', [finished, modulePending, moduleOnBackupRun]).orderBy('id');

        assert.deepEqual(await migrate(db, MIGRATIONS.filter((m) => m.id < '0007')), ['0006-own-restore-command-type']);
        const typeOf = async (id: number) => (await db('s3_cloudbackup_run_commands').where('id', id).first('type')).type as string;
        assert.deepEqual([await typeOf(pending), await typeOf(inHand)], ['hypervrestore_restore', 'hypervrestore_restore']);
        assert.deepEqual(await db('s3_cloudbackup_run_commands').whereIn('id', [finished, modulePending, moduleOnBackupRun]).orderBy('id'), before);
        assert.deepEqual((await referencePoll(db, { id: f.a.agentId, clientId: f.a.clientId })).map((r) => r.id), [modulePending, moduleOnBackupRun]);
        assert.deepEqual(await migrate(db, MIGRATIONS.filter((m) => m.id < '0007')), [], 'runs once');
      });
    });
  });
}
