// /bridge/notices/*: the restore-finished e-mails the WHMCS module pulls. Claimed once per pass (a lease), sent ones
// never again, failed ones on the next pass; only the bridge itself may ask; restores that ended before the feature
// or while the setting was off are never offered.
import assert from 'node:assert/strict';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { migrate } from '../../sidecar/db/migrate.js';
import { ensureModuleStorage } from '../../sidecar/demo/module-storage.js';
import { NOTICE_MAX_ATTEMPTS } from '../../sidecar/services/restore-notices.js';
import { ATTACH_STEPS } from '../../sidecar/views/notice-fields.js';
import { MIGRATIONS } from '../../sql/migrations/index.js';
import { createTestDatabase, testDialects } from '../helpers/database.js';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { createTestAppOn, seededApp, signedRequest, type TestApp } from '../helpers/http.js';
import { insertRestoreRun, type RestoreRunSpec } from '../helpers/restore-runs.js';

interface Notice { id: number; client_id: number; status: string; fields: Record<string, unknown> }

const claim = (t: TestApp, body: unknown = { notify: 'on' }) => signedRequest(t.app, { method: 'POST', path: '/bridge/notices/claim', body });
const ack = (t: TestApp, body: unknown) => signedRequest(t.app, { method: 'POST', path: '/bridge/notices/ack', body });
const claimedIds = async (t: TestApp, body?: unknown) => ((await claim(t, body).expect(200)).body.notices as Notice[]).map((n) => n.id);
const noticeState = async (t: TestApp, runId: number) => ((await t.db('s3_hyperv_restore_notices').where('run_id', runId).first()) as { state: string; attempts: number } | undefined);

for (const dialect of testDialects()) {
  describe(`Bridge notices (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    const run = (spec: Partial<RestoreRunSpec> & Pick<RestoreRunSpec, 'status'>, owner: 'a' | 'b' = 'a') =>
      insertRestoreRun(t.db, { jobId: f[owner].jobId, agentId: f[owner].agentId, vmId: f[owner].vmId, vmName: f[owner].vmName, minute: 1, ...spec });
    /** Settles every pending notice, so each test starts from "nothing due". */
    const settle = async () => {
      const ids = await claimedIds(t);
      if (ids.length) await ack(t, { sent: ids }).expect(200);
    };

    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });
    beforeEach(() => settle());

    it('Rejects requests signed for a client or an admin, and unsigned ones', async () => {
      await run({ status: 'success' });
      for (const res of [
        await signedRequest(t.app, { method: 'POST', path: '/bridge/notices/claim', clientId: f.a.clientId, body: { notify: 'on' } }),
        await signedRequest(t.app, { method: 'POST', path: '/bridge/notices/claim', adminId: 1, body: { notify: 'on' } }),
        await signedRequest(t.app, { method: 'POST', path: '/bridge/notices/ack', clientId: f.a.clientId, body: { sent: [1] } }),
        await signedRequest(t.app, { method: 'POST', path: '/bridge/notices/claim', body: { notify: 'on' } }, { 'X-Bridge-Signature': 'f'.repeat(64) }),
      ]) {
        assert.equal(res.status, 401);
        assert.deepEqual(res.body, { status: 'fail', message: 'Unauthorized' });
      }
      const ids = await claimedIds(t);
      assert.equal(ids.length, 1, 'the refused claims took nothing');
      await ack(t, { sent: ids }).expect(200);
    });

    it('Rejects bad input with a sentence naming the field, changing nothing', async () => {
      const runId = await run({ status: 'failed' });
      const tables = await snapshotTables(t.db);
      const cases: [string, unknown, string][] = [
        ['claim', {}, 'notify must be on or off'],
        ['claim', { notify: 'yes' }, 'notify must be on or off'],
        ['claim', { notify: 'on', limit: 0 }, 'limit must be a whole number from 1 to 100'],
        ['claim', { notify: 'on', limit: '5' }, 'limit must be a whole number from 1 to 100'],
        ['claim', { notify: 'on', client_id: 2 }, 'client_id is not allowed'],
        ['claim', [], 'The request body must be a JSON object'],
        ['ack', { sent: 'all' }, 'sent must be a list of at most 100 different run ids'],
        ['ack', { sent: [runId, runId] }, 'sent must be a list of at most 100 different run ids'],
        ['ack', { failed: [0] }, 'failed must be a list of at most 100 different run ids'],
        ['ack', { sent: Array.from({ length: 101 }, (_, i) => i + 1) }, 'sent must be a list of at most 100 different run ids'],
        ['ack', { ids: [runId] }, 'ids is not allowed'],
      ];
      for (const [route, body, message] of cases) {
        const res = await (route === 'claim' ? claim(t, body) : ack(t, body));
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.deepEqual(res.body, { status: 'fail', message }, JSON.stringify(body));
      }
      assert.deepEqual(await snapshotTables(t.db), tables);
      assert.equal(await noticeState(t, runId), undefined);
    });

    it('Can hand out each ended restore of every client once, with its owner and the e-mail fields', async () => {
      const done = await run({ status: 'success', targetPath: 'D:\\Restore\\web', disks: [{ name: 'disk0.vhdx', status: 'done' }, { name: 'data.vhdx', status: 'done' }] });
      const failed = await run({ status: 'failed', errorSummary: 'The backup storage could not be read', disks: [{ name: 'os.vhdx', status: 'done' }, { name: 'data.vhdx', status: 'failed' }] }, 'b');
      const running = await run({ status: 'running' });
      const res = await claim(t).expect(200);
      assert.equal(res.body.status, 'success');
      const notices = res.body.notices as Notice[];
      assert.deepEqual(notices.map((n) => [n.id, n.client_id, n.status]), [[done, f.a.clientId, 'success'], [failed, f.b.clientId, 'failed']]);
      assert.deepEqual(notices[0]!.fields, {
        hvr_vm_name: f.a.vmName, hvr_status: 'Completed', hvr_disks_restored: 2, hvr_disks_total: 2, hvr_disks_text: '2 of 2 disks restored',
        hvr_target_path: 'D:\\Restore\\web', hvr_files: ['D:\\Restore\\web\\disk0.vhdx', 'D:\\Restore\\web\\data.vhdx'],
        hvr_files_text: 'D:\\Restore\\web\\disk0.vhdx\nD:\\Restore\\web\\data.vhdx', hvr_reason: '', hvr_next_steps: ATTACH_STEPS,
        hvr_live_path: `index.php?m=hypervrestore&view=live&run_id=${done}`,
      });
      assert.equal(notices[1]!.fields.hvr_vm_name, f.b.vmName);
      assert.equal(notices[1]!.fields.hvr_status, 'Failed');
      assert.equal(notices[1]!.fields.hvr_disks_text, '1 of 2 disks restored');
      assert.equal(notices[1]!.fields.hvr_reason, 'The backup storage could not be read');
      assert.match(String(notices[1]!.fields.hvr_next_steps), /^The disks listed above are in the folder; the others were not restored\. You can start the restore again/);
      assert.deepEqual(await claimedIds(t), [], 'a second pass within the lease gets nothing');
      assert.deepEqual((await ack(t, { sent: [done, failed] }).expect(200)).body, { status: 'success', sent: 2, released: 0 });
      assert.equal((await noticeState(t, done))!.state, 'sent');
      await t.db('s3_hyperv_restore_notices').update({ claimed_until: toDbTime(new Date(Date.now() - 3600_000)) });
      assert.deepEqual(await claimedIds(t), [], 'a sent notice never comes back');
      await t.db('s3_cloudbackup_runs').where('id', running).update({ status: 'cancelled', finished_at: toDbTime() });
      assert.deepEqual(await claimedIds(t), [running], 'the running restore is due once it has ended');
    });

    it('Can offer a failed send again on the next pass, and one whose pass died once its lease ends', async () => {
      const mailDown = await run({ status: 'cancelled' });
      const passDied = await run({ status: 'warning' }, 'b');
      assert.deepEqual(await claimedIds(t), [mailDown, passDied]);
      assert.deepEqual((await ack(t, { failed: [mailDown] }).expect(200)).body, { status: 'success', sent: 0, released: 1 });
      assert.deepEqual(await claimedIds(t), [mailDown], 'released at once; the other is still leased');
      await t.db('s3_hyperv_restore_notices').where('run_id', passDied).update({ claimed_until: toDbTime(new Date(Date.now() - 1000)) });
      assert.deepEqual(await claimedIds(t), [passDied]);
      assert.equal((await noticeState(t, passDied))!.attempts, 2);
      await ack(t, { sent: [mailDown, passDied] }).expect(200);
      assert.deepEqual(await claimedIds(t), []);
    });

    it(`Can give a notice up after ${NOTICE_MAX_ATTEMPTS} failed sends (a client deleted in WHMCS)`, async () => {
      const runId = await run({ status: 'success' }, 'b');
      for (let i = 0; i < NOTICE_MAX_ATTEMPTS; i += 1) {
        assert.deepEqual(await claimedIds(t), [runId], `attempt ${i + 1}`);
        await ack(t, { failed: [runId] }).expect(200);
      }
      assert.deepEqual(await claimedIds(t), []);
      assert.equal((await noticeState(t, runId))!.state, 'given_up');
    });

    it('Cannot change a notice that was never claimed, or acknowledge one twice', async () => {
      const unclaimed = await run({ status: 'success' });
      assert.deepEqual((await ack(t, { sent: [unclaimed, 999999] }).expect(200)).body, { status: 'success', sent: 0, released: 0 });
      assert.deepEqual(await claimedIds(t), [unclaimed], 'still due: an ack only settles what a pass claimed');
      await ack(t, { sent: [unclaimed] }).expect(200);
      assert.deepEqual((await ack(t, { sent: [unclaimed], failed: [unclaimed] }).expect(200)).body, { status: 'success', sent: 0, released: 0 });
      assert.equal((await noticeState(t, unclaimed))!.state, 'sent');
    });

    it('Cannot offer restores that ended while the setting was off, not even after it is turned on again', async () => {
      const whileOff = await run({ status: 'success' });
      const res = await claim(t, { notify: 'off' }).expect(200);
      assert.deepEqual(res.body, { status: 'success', notify: 'off', notices: [], skipped: 1 });
      assert.equal((await noticeState(t, whileOff))!.state, 'skipped');
      assert.deepEqual(await claimedIds(t), []);
      const afterOn = await run({ status: 'failed' });
      assert.deepEqual(await claimedIds(t), [afterOn]);
    });

    it('Can tell the customer on the live page that an e-mail will follow, only when the bridge says notice=on', async () => {
      const running = await run({ status: 'running' });
      const page = async (query: string) => (await signedRequest(t.app, { path: `/pages/live?run_id=${running}${query}`, clientId: f.a.clientId }).expect(200)).text;
      assert.ok((await page('&notice=on')).includes('We will e-mail you when it finishes.'));
      for (const query of ['', '&notice=off', '&notice=yes']) assert.ok(!(await page(query)).includes('We will e-mail you'), query);
      await t.db('s3_cloudbackup_runs').where('id', running).update({ status: 'failed', finished_at: toDbTime() });
      assert.ok(!(await page('&notice=on')).includes('We will e-mail you'), 'not once the restore has ended');
    });

        it('Can hand out at most `limit` per pass, oldest first, the rest on the next', async () => {
      const ids = [await run({ status: 'success' }), await run({ status: 'failed' }, 'b'), await run({ status: 'cancelled' })];
      assert.deepEqual(await claimedIds(t, { notify: 'on', limit: 2 }), ids.slice(0, 2));
      assert.deepEqual(await claimedIds(t, { notify: 'on', limit: 2 }), ids.slice(2));
    });
  });

  describe(`Bridge notices after upgrading an installation (${dialect})`, function () {
    it('Cannot e-mail restores that ended before the feature existed; ones still running then are e-mailed when they end', async () => {
      const database = await createTestDatabase(dialect, { migrated: false });
      try {
        await migrate(database.db, MIGRATIONS.filter((m) => m.id < '0007'));
        await ensureModuleStorage(database.db);
        const f = await seedFixtures(database.db);
        const spec = { jobId: f.a.jobId, agentId: f.a.agentId, vmId: f.a.vmId, vmName: f.a.vmName, minute: 1 };
        const old = [await insertRestoreRun(database.db, { ...spec, status: 'success' }), await insertRestoreRun(database.db, { ...spec, status: 'failed' })];
        const stillRunning = await insertRestoreRun(database.db, { ...spec, status: 'running' });
        assert.deepEqual(await migrate(database.db), ['0007-restore-notices']);
        const t = createTestAppOn(database);
        const rows = (await t.db('s3_hyperv_restore_notices').orderBy('run_id').select('run_id', 'state')) as { run_id: number; state: string }[];
        assert.deepEqual(rows.map((r) => [Number(r.run_id), r.state]), old.map((id) => [id, 'predates']));
        assert.deepEqual(await claimedIds(t), []);
        await t.db('s3_cloudbackup_runs').where('id', stillRunning).update({ status: 'success', finished_at: toDbTime() });
        assert.deepEqual(await claimedIds(t), [stillRunning]);
        assert.deepEqual(await migrate(database.db), [], 'a second migrate is a no-op');
      } finally {
        await database.drop();
      }
    });
  });
}
