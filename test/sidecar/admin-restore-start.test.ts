// An admin starts a restore for a client: the VM search, the client's own wizard served for the admin area, its
// points, and the start recorded as the admin's while the run stays the client's (their API, live page and history).
import assert from 'node:assert/strict';
import { testDialects } from '../helpers/database.js';
import { insertAgent, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { clientGet, seededApp, signedRequest, type TestApp } from '../helpers/http.js';

const ADMIN = 7;
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

for (const dialect of testDialects()) {
  describe(`Admin restore start (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    const adminGet = (path: string) => signedRequest(t.app, { path, adminId: ADMIN });
    const adminPost = (path: string, body: unknown) => signedRequest(t.app, { method: 'POST', path, adminId: ADMIN, body });
    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });

    it('Can find VMs of every client by client, VM name or id, and job name or id', async () => {
      const rows = async (q: string) => [...(await adminGet(`/admin/pages/vms?${q}`).expect(200)).text.matchAll(/data-vm-id="(\d+)"/g)].map((m) => Number(m[1]));
      assert.deepEqual((await rows(`client_id=${f.b.clientId}`)).sort(), [f.b.vmId, f.b.derivedVmId].sort());
      assert.deepEqual(await rows('vm=web-a'), [f.a.vmId]);
      assert.deepEqual(await rows(`vm=${f.b.vmId}`), [f.b.vmId]);
      assert.deepEqual(await rows(`job=${f.disabled.jobId}`), [f.disabled.vmId]);
      assert.deepEqual(await rows('job=disabled'), [f.disabled.vmId]);
      assert.deepEqual(await rows('vm=100%25'), []);
      const page = await adminGet(`/admin/pages/vms?vm=web-b`).expect(200);
      assert.match(page.text, new RegExp(`href="addonmodules\\.php\\?module=hypervrestore&amp;action=restore&amp;vm_id=${f.b.vmId}"`));
      assert.deepEqual((await adminGet('/admin/pages/vms?job=a&extra=1').expect(400)).body, { status: 'fail', message: 'Unknown filter: extra' });
    });

    it('Can serve the client\'s wizard for the admin area, with the client\'s hosts and links through the admin page', async () => {
      const second = await insertAgent(t.db, f.b.clientId, 'admin-wizard-second-' + 'w'.repeat(32));
      const page = await adminGet(`/admin/pages/restore?vm_id=${f.b.vmId}`).expect(200);
      const html = page.text.replace(/&#x3D;/g, '=');
      assert.match(page.text, /Restore “web-b”/);
      assert.match(page.text, /You are starting this restore for client #2 as an administrator/);
      assert.match(html, /data-hvr-mode="bridge" data-hvr-api-base="addonmodules\.php\?module=hypervrestore"/);
      assert.match(html, /src="addonmodules\.php\?module=hypervrestore&amp;asset=scripts%2Frestore-wizard\.js"/);
      const config = json(/<script type="application\/json" data-hvr-config>([\s\S]*?)<\/script>/.exec(page.text)![1]!);
      assert.deepEqual((config.hosts as { agentId: number }[]).map((h) => h.agentId), [f.b.agentId, second]);
      assert.equal(config.liveUrl, 'addonmodules.php?module=hypervrestore&action=run&run_id=__RUN__');
      assert.deepEqual((await adminGet('/admin/pages/restore?vm_id=999999').expect(404)).body, { status: 'fail', message: 'VM not found or access denied' });
      assert.deepEqual((await adminGet('/admin/pages/restore').expect(400)).body, { status: 'fail', message: 'vm_id is required' });
    });

    it('Can list any client\'s points for the admin\'s wizard, as the client sees them', async () => {
      const admin = await adminGet(`/admin/api/hyperv/backup-points?vm_id=${f.b.vmId}&limit=5`).expect(200);
      const client = await clientGet(t.app, f.b.clientId, `/api/hyperv/backup-points?vm_id=${f.b.vmId}&limit=5`).expect(200);
      assert.deepEqual(admin.body, client.body);
      assert.deepEqual((await adminGet('/admin/api/hyperv/backup-points?vm_id=999999').expect(404)).body, { status: 'fail', message: 'VM not found or access denied' });
    });

    it('Can start a restore for a client, recorded as the admin\'s, which the client sees as theirs', async () => {
      const res = await adminPost('/admin/api/hyperv/restores', { backup_point_id: f.b.fullPointId, target_path: 'D:\\Support\\web-b' }).expect(200);
      assert.deepEqual([res.body.status, res.body.message, res.body.job_id, res.body.agent_id], ['success', 'Hyper-V restore started', f.b.jobId, f.b.agentId]);
      const runId = Number(res.body.restore_run_id);
      const run = await t.db('s3_cloudbackup_runs').where('id', runId).first();
      assert.deepEqual(json(run.stats_json).requested_by, { client_id: f.b.clientId, admin_id: ADMIN });
      const events = await clientGet(t.app, f.b.clientId, `/api/runs/${runId}/events`).expect(200);
      assert.equal(events.body.events[0].message_id, 'HYPERV_RESTORE_QUEUED');
      assert.equal(events.body.events[0].params.admin_id, ADMIN);
      assert.equal((await clientGet(t.app, f.b.clientId, `/api/runs/${runId}`).expect(200)).body.run.status, 'queued');
      assert.match((await clientGet(t.app, f.b.clientId, `/pages/live?run_id=${runId}`).expect(200)).text, /Restore of “web-b”/);
      assert.match((await clientGet(t.app, f.b.clientId, '/pages/hyperv').expect(200)).text.replace(/&#x3D;/g, '='), new RegExp(`run_id=${runId}"`));
      // Another client never sees it; the admin's run page names the admin.
      await clientGet(t.app, f.a.clientId, `/api/runs/${runId}`).expect(404);
      assert.match((await adminGet(`/admin/pages/runs/${runId}`).expect(200)).text, /id="hypervrestore-run-started-by">administrator #7</);
    });

    it('Rejects an admin start with the client wizard\'s own rules and texts, changing nothing', async () => {
      const before = await snapshotTables(t.db);
      const cases: [Record<string, unknown>, number, string][] = [
        [{ target_path: 'D:\\x' }, 400, 'backup_point_id is required'],
        [{ backup_point_id: f.b.fullPointId }, 400, 'target_path is required'],
        [{ backup_point_id: 999999, target_path: 'D:\\x' }, 404, 'Backup point not found'],
        [{ backup_point_id: f.b.fullPointId, target_path: 'D:\\x', disk_filter: [] }, 400, 'No disks selected'],
        [{ backup_point_id: f.b.fullPointId, target_path: 'D:\\x', agent_id: f.a.agentId }, 404, 'Agent not found'],
        [{ backup_point_id: f.disabled.pointId, target_path: 'D:\\x' }, 409, 'The agent of this job is disabled'],
      ];
      for (const [body, status, message] of cases) {
        const res = await adminPost('/admin/api/hyperv/restores', body).expect(status);
        assert.deepEqual(res.body, { status: 'fail', message }, JSON.stringify(body));
      }
      const bad = await adminPost('/admin/api/hyperv/restores', { backup_point_id: f.b.fullPointId, target_path: 'C:\\Windows\\x' }).expect(400);
      assert.match(bad.body.message, /^target_path is inside the Windows system folder C:\\Windows/);
      assert.deepEqual(await snapshotTables(t.db), before);
    });

    it('Rejects the admin start and the admin wizard for a client-signed request', async () => {
      const res = await signedRequest(t.app, { method: 'POST', path: '/admin/api/hyperv/restores', clientId: f.a.clientId, body: { backup_point_id: f.a.fullPointId, target_path: 'D:\\x' } });
      assert.deepEqual([res.status, res.body], [401, { status: 'fail', message: 'Unauthorized' }]);
      assert.equal((await signedRequest(t.app, { path: `/admin/pages/restore?vm_id=${f.a.vmId}`, clientId: f.a.clientId })).status, 401);
    });
  });
}
