import assert from 'node:assert/strict';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { RESTORE_COMMAND_TYPE } from '../../sidecar/schemas/agent.js';
import { testDialects } from '../helpers/database.js';
import { snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { seededApp, signedRequest, type TestApp } from '../helpers/http.js';
import { insertRestoreRun } from '../helpers/restore-runs.js';

const ADMIN = 3;

for (const dialect of testDialects()) {
  describe(`Admin routes (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    const runs: Record<string, number> = {};
    const adminGet = (path: string) => signedRequest(t.app, { path, adminId: ADMIN });

    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });
    before(async () => {
      runs.aDone = await insertRestoreRun(t.db, { jobId: f.a.jobId, agentId: f.a.agentId, vmId: f.a.vmId, vmName: f.a.vmName, status: 'success', minute: 1 });
      runs.bRunning = await insertRestoreRun(t.db, { jobId: f.b.jobId, agentId: f.b.agentId, vmId: f.b.vmId, vmName: f.b.vmName, status: 'running', minute: 2 });
      runs.aQueued = await insertRestoreRun(t.db, { jobId: f.a.jobId, agentId: f.a.agentId, vmId: f.a.derivedVmId, vmName: 'db-a', status: 'queued', minute: 3 });
      await t.db('s3_cloudbackup_agents').where('id', f.a.agentId).update({ last_seen_at: toDbTime(new Date(Date.now() - 10_000)) });
      await t.db('s3_cloudbackup_agents').where('id', f.b.agentId).update({ last_seen_at: toDbTime(new Date(Date.now() - 3600_000)) });
    });

    it('Rejects unsigned requests and requests signed for a client', async () => {
      for (const res of [
        await signedRequest(t.app, { path: '/admin/api/runs', clientId: f.a.clientId }),
        await signedRequest(t.app, { path: '/admin/pages/runs', clientId: f.a.clientId }),
        await signedRequest(t.app, { path: '/admin/api/agents' }, { 'X-Bridge-Signature': 'f'.repeat(64) }),
      ]) {
        assert.equal(res.status, 401);
        assert.deepEqual(res.body, { status: 'fail', message: 'Unauthorized' });
      }
    });

    it('Can list restore runs of every client, newest first, without backup runs', async () => {
      const res = await adminGet('/admin/api/runs').expect(200);
      assert.equal(res.body.status, 'success');
      assert.deepEqual(res.body.runs.map((r: { id: number }) => r.id), [runs.aQueued, runs.bRunning, runs.aDone]);
      assert.equal(res.body.total, 3);
      assert.deepEqual(res.body.runs.map((r: { clientId: number }) => r.clientId), [1, 2, 1]);
      assert.equal(res.body.runs[1].vmName, f.b.vmName);
      assert.equal(res.body.runs[1].agentHostname, 'hv-agent-');
    });

    it('Can filter by status, client and VM (id or name)', async () => {
      const ids = async (q: string) => (await adminGet(`/admin/api/runs?${q}`).expect(200)).body.runs.map((r: { id: number }) => r.id);
      assert.deepEqual(await ids('status=running'), [runs.bRunning]);
      assert.deepEqual(await ids('client_id=1'), [runs.aQueued, runs.aDone]);
      assert.deepEqual(await ids(`vm=${f.a.vmId}`), [runs.aDone]);
      assert.deepEqual(await ids('vm=web-'), [runs.bRunning, runs.aDone]);
      assert.deepEqual(await ids('vm=db-a&status=queued&client_id=1'), [runs.aQueued]);
      assert.deepEqual(await ids('vm=100%25'), []);
      assert.deepEqual(await ids('status=&client_id=&vm='), [runs.aQueued, runs.bRunning, runs.aDone]);
    });

    it('Rejects a bad filter with 400 and a clear message', async () => {
      const bad = await adminGet('/admin/api/runs?status=exploded').expect(400);
      assert.equal(bad.body.status, 'fail');
      assert.match(bad.body.message, /^status must be equal to one of the allowed values/);
      assert.equal((await adminGet('/admin/api/runs?client_id=abc').expect(400)).body.message, 'client_id must be integer');
      assert.equal((await adminGet('/admin/api/runs?colour=red').expect(400)).body.message, 'Unknown filter: colour');
    });

    it('Rejects a loosely written id or a filter written as a list, instead of reading it as another value', async () => {
      for (const query of ['client_id=0x01', 'client_id=1e0', 'client_id=01', 'client_id=1.0', 'client_id=%201', 'page=0x2', 'client_id[]=1']) {
        assert.equal((await adminGet(`/admin/api/runs?${query}`).expect(400)).body.message, `${query.replace(/[=[].*$/, '')} must be integer`, query);
      }
      assert.equal((await adminGet('/admin/api/runs?status[]=failed').expect(400)).body.message, 'status must be a single value');
      assert.equal((await adminGet('/admin/api/agents?client_id=0x02').expect(400)).body.message, 'client_id must be integer');
    });

    it("Can show any client's run with its events, and 404 for a missing one", async () => {
      const res = await adminGet(`/admin/api/runs/${runs.bRunning}`).expect(200);
      assert.equal(res.body.run.clientId, 2);
      assert.equal(res.body.events.length, 1);
      assert.equal(res.body.events[0].message, `Hyper-V restore queued for VM "${f.b.vmName}" (2 disks).`);
      const byUuid = await adminGet(`/admin/api/runs/${res.body.run.uuid}`).expect(200);
      assert.equal(byUuid.body.run.id, runs.bRunning);
      const missing = await adminGet('/admin/api/runs/999999').expect(404);
      assert.deepEqual(missing.body, { status: 'fail', message: 'Run not found' });
    });

    it('Can list agents with last-seen time and online state', async () => {
      const res = await adminGet('/admin/api/agents').expect(200);
      const byId = new Map(res.body.agents.map((a: { id: number }) => [a.id, a]));
      assert.deepEqual(byId.get(f.a.agentId), { id: f.a.agentId, clientId: 1, hostname: 'hv-agent-', status: 'active',
        lastSeenAt: (byId.get(f.a.agentId) as { lastSeenAt: string }).lastSeenAt, online: true, activeRestores: 1 });
      assert.equal((byId.get(f.b.agentId) as { online: boolean }).online, false);
      assert.equal((byId.get(f.disabled.agentId) as { online: boolean; lastSeenAt: null }).online, false);
      assert.equal((await adminGet('/admin/api/agents?client_id=2').expect(200)).body.agents.length, 1);
    });

    it('Can render the admin pages as HTML fragments with links back into WHMCS', async () => {
      const list = await adminGet('/admin/pages/runs?status=queued').expect(200);
      assert.match(list.headers['content-type'], /^text\/html/);
      assert.ok(list.text.includes(`href="addonmodules.php?module=hypervrestore&amp;action=run&amp;run_id=${runs.aQueued}"`));
      assert.ok(!list.text.includes(`data-run-id="${runs.aDone}"`));
      const run = await adminGet(`/admin/pages/runs/${runs.aQueued}`).expect(200);
      assert.ok(run.text.includes('<input type="hidden" name="token" data-hvr-csrf-slot>'), 'the cancel form carries the bridge CSRF slot');
      const done = await adminGet(`/admin/pages/runs/${runs.aDone}`).expect(200);
      assert.ok(!done.text.includes('hypervrestore-cancel'), 'a finished run offers no cancel');
      const agents = await adminGet('/admin/pages/agents').expect(200);
      assert.match(agents.text, /label-success">online/);
    });

    it("Can cancel any client's queued restore at once, retiring its command, with the admin as the actor", async () => {
      const runId = await insertRestoreRun(t.db, { jobId: f.b.jobId, agentId: f.b.agentId, vmId: f.b.vmId, vmName: f.b.vmName, status: 'queued', minute: 9 });
      await t.db('s3_cloudbackup_run_commands').insert({ run_id: runId, type: RESTORE_COMMAND_TYPE, payload_json: '{}', status: 'pending' });
      const res = await signedRequest(t.app, { method: 'POST', path: `/admin/api/runs/${runId}/cancel`, adminId: ADMIN, body: {} }).expect(200);
      assert.equal(res.body.status, 'success');
      assert.equal(res.body.message, 'Restore cancelled');
      assert.equal(res.body.run.status, 'cancelled');
      const command = await t.db('s3_cloudbackup_run_commands').where('run_id', runId).first();
      assert.equal(command.status, 'failed');
      const events = await t.db('s3_cloudbackup_run_events').where('run_id', runId).orderBy('id');
      assert.equal(events.at(-1).message_id, 'HYPERV_RESTORE_CANCELLED');
      assert.deepEqual(JSON.parse(events.at(-1).params_json), { admin_id: ADMIN });
    });

    it('Can flag a running restore for the agent to stop', async () => {
      const res = await signedRequest(t.app, { method: 'POST', path: `/admin/api/runs/${runs.bRunning}/cancel`, adminId: ADMIN, body: {} }).expect(200);
      assert.equal(res.body.message, 'Cancellation requested');
      assert.equal(res.body.run.status, 'running');
      assert.equal(res.body.run.cancel_requested, true);
    });

    it('Rejects cancelling a finished, missing or client-signed run, changing nothing', async () => {
      const tables = await snapshotTables(t.db);
      const done = await signedRequest(t.app, { method: 'POST', path: `/admin/api/runs/${runs.aDone}/cancel`, adminId: ADMIN, body: {} }).expect(409);
      assert.deepEqual(done.body, { status: 'fail', message: 'The run has already finished and cannot be cancelled' });
      const missing = await signedRequest(t.app, { method: 'POST', path: '/admin/api/runs/424242/cancel', adminId: ADMIN, body: {} }).expect(404);
      assert.deepEqual(missing.body, { status: 'fail', message: 'Run not found' });
      const asClient = await signedRequest(t.app, { method: 'POST', path: `/admin/api/runs/${runs.aQueued}/cancel`, clientId: f.a.clientId, body: {} }).expect(401);
      assert.deepEqual(asClient.body, { status: 'fail', message: 'Unauthorized' });
      assert.deepEqual(await snapshotTables(t.db), tables);
    });
  });
}
