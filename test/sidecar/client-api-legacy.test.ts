import assert from 'node:assert/strict';
import { createTestDatabase } from '../helpers/database.js';
import { seedFixtures, type Fixtures } from '../helpers/fixtures.js';
import { clientGet, clientPost, createTestAppOn, type TestApp } from '../helpers/http.js';

// The WHMCS database as the existing module created it (no vm_disks table, no run_type, no commands.agent_id),
// brought up to date by our migrations: the whole client flow must work there too.
describe('Client API on a database the existing module created (mariadb)', function () {
  let t: TestApp;
  let f: Fixtures;
  before(async () => {
    t = createTestAppOn(await createTestDatabase('mariadb', { legacy: true }));
    f = await seedFixtures(t.db);
  });
  after(() => t.drop());

  it('Can list, start, read, follow and cancel a restore', async () => {
    const vms = await clientGet(t.app, f.a.clientId, '/api/hyperv/vms').expect(200);
    assert.equal(vms.body.vms.length, 3);
    const points = await clientGet(t.app, f.a.clientId, `/api/hyperv/backup-points?vm_id=${f.a.vmId}`).expect(200);
    assert.deepEqual(points.body.backup_points.map((p: { restore_chain_length: number }) => p.restore_chain_length), [3, 2, 1]);
    const started = await clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { backup_point_id: f.a.incrementalPointIds[1], target_path: 'C:\\Restored\\legacy' }).expect(200);
    const command = await t.db('s3_cloudbackup_run_commands').where('run_id', started.body.restore_run_id).first();
    assert.deepEqual([Number(command.agent_id), command.status], [f.a.agentId, 'pending']);
    const run = await clientGet(t.app, f.a.clientId, `/api/runs/${started.body.restore_run_uuid}`).expect(200);
    assert.equal(run.body.run.status, 'queued');
    const cancelled = await clientPost(t.app, f.a.clientId, `/api/runs/${started.body.restore_run_id}/cancel`).expect(200);
    assert.equal(cancelled.body.run.status, 'cancelled');
    const events = await clientGet(t.app, f.a.clientId, `/api/runs/${started.body.restore_run_id}/events`).expect(200);
    assert.deepEqual(events.body.events.map((e: { message_id: string }) => e.message_id), ['HYPERV_RESTORE_QUEUED', 'HYPERV_RESTORE_CANCELLED']);
    assert.deepEqual((await clientGet(t.app, f.b.clientId, `/api/runs/${started.body.restore_run_id}`).expect(404)).body, { status: 'fail', message: 'Run not found' });
  });
});
