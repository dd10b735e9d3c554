import assert from 'node:assert/strict';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { appendEvents } from '../../sidecar/services/run-events.js';
import { testDialects } from '../helpers/database.js';
import { snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { clientGet, clientPost, seededApp, type TestApp } from '../helpers/http.js';

const fail = (message: string) => ({ status: 'fail', message });
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const GiB = 1024 ** 3;

for (const dialect of testDialects()) {
  describe(`Runs API (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    let n = 0;
    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });

    async function startRestore(): Promise<{ id: number; uuid: string }> {
      n += 1;
      const res = await clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { backup_point_id: f.a.fullPointId, target_path: `C:\\Restored\\run${n}` }).expect(200);
      return { id: res.body.restore_run_id, uuid: res.body.restore_run_uuid };
    }
    const setRun = (id: number, values: Record<string, unknown>) => t.db('s3_cloudbackup_runs').where('id', id).update(values);

    it('Can read a queued run by id and by uuid', async () => {
      const run = await startRestore();
      const byId = await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}`).expect(200);
      const byUuid = await clientGet(t.app, f.a.clientId, `/api/runs/${run.uuid.toUpperCase()}`).expect(200);
      assert.deepEqual(byUuid.body, byId.body);
      const r = byId.body.run;
      assert.deepEqual([r.id, r.uuid, r.status, r.is_finished, r.cancel_requested, r.progress.percent, r.progress.bytes_done, r.progress.disks_total], [run.id, run.uuid, 'queued', false, false, 0, 0, 2]);
      assert.deepEqual(r.disks.map((d: { name: string; status: string }) => `${d.name}:${d.status}`), ['disk0.vhdx:pending', 'data.vhdx:pending']);
      assert.equal(r.stats.vm_name, 'web-a');
      assert.match(r.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    });

    it('Can report per-disk progress, percent, speed, ETA and the current disk of a running restore', async () => {
      const run = await startRestore();
      await setRun(run.id, {
        status: 'running', started_at: toDbTime(), speed_bytes_per_sec: 100 * 1024 ** 2, eta_seconds: null,
        progress_json: JSON.stringify({ disks: [
          { name: 'disk0.vhdx', path: 'C:\\VMs\\web-a\\disk0.vhdx', bytes_total: 2 * GiB, bytes_done: 2 * GiB, status: 'done' },
          { name: 'data.vhdx', path: 'C:\\VMs\\web-a\\data.vhdx', bytes_total: 2 * GiB, bytes_done: GiB, status: 'running', message: 'fetching' },
          'not a disk',
        ] }),
      });
      const { run: r } = (await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}`).expect(200)).body;
      assert.deepEqual(r.progress, {
        bytes_done: 3 * GiB, bytes_total: 4 * GiB, percent: 75, speed_bytes_per_sec: 100 * 1024 ** 2, eta_seconds: 11,
        current_disk: 'data.vhdx', current_item: null, disks_done: 1, disks_total: 2,
      });
      assert.deepEqual(r.disks[1], { name: 'data.vhdx', path: 'C:\\VMs\\web-a\\data.vhdx', bytes_total: 2 * GiB, bytes_done: GiB, percent: 50, status: 'running', message: 'fetching' });
    });

    it('Can list events oldest first after an id, rendered, at most 500 per call', async () => {
      const run = await startRestore();
      await appendEvents(t.db, run.id, [
        { messageId: 'HYPERV_RESTORE_DISK_PROGRESS', params: { disk_name: 'disk0.vhdx', bytes_done: 1.5 * GiB, bytes_total: 10 * GiB } },
        { messageId: 'HYPERV_RESTORE_DISK_FAILED', params: { disk_name: 'data.vhdx' } },
        { messageId: 'SOMETHING_NEW', params: { message: 'Agent says hello' } },
      ]);
      const first = await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}/events`).expect(200);
      assert.deepEqual(first.body.events.map((e: { message: string }) => e.message), [
        'Hyper-V restore queued for VM "web-a" (2 disks).',
        'Restoring disk: disk0.vhdx - 1.5 GiB of 10 GiB.',
        'Disk data.vhdx restore failed: -.',
        'Agent says hello',
      ]);
      assert.deepEqual([first.body.status, first.body.run_status, first.body.run_id], ['success', 'queued', run.id]);
      const [queued] = first.body.events;
      assert.deepEqual([queued.type, queued.level, queued.code, queued.params.disk_count], ['info', 'info', 'HYPERV_RESTORE_QUEUED', 2]);
      const after = await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}/events?after=${first.body.events[1].id}`).expect(200);
      assert.deepEqual(after.body.events.map((e: { id: number }) => e.id), first.body.events.slice(2).map((e: { id: number }) => e.id));
      await appendEvents(t.db, run.id, Array.from({ length: 600 }, (_, i) => ({ messageId: 'HYPERV_RESTORE_NOTICE', params: { message: `n${i}` } })));
      const page = await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}/events?after=${first.body.last_id}`).expect(200);
      assert.equal(page.body.events.length, 500);
      assert.deepEqual([page.body.events[0].message, page.body.events[499].message], ['n0', 'n499']);
      const rest = await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}/events?after=${page.body.last_id}`).expect(200);
      assert.deepEqual([rest.body.events.length, rest.body.events[99].message], [100, 'n599']);
      const ids = [...page.body.events, ...rest.body.events].map((e: { id: number }) => e.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.deepEqual((await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}/events?after=-1`).expect(400)).body, fail('after must be an event id (a whole number, 0 or more)'));
    });

    it('Can cancel a queued restore at once and retire its command', async () => {
      const run = await startRestore();
      const res = await clientPost(t.app, f.a.clientId, `/api/runs/${run.uuid}/cancel`).expect(200);
      assert.deepEqual([res.body.message, res.body.run.status, res.body.run.cancel_requested, res.body.run.is_finished], ['Restore cancelled', 'cancelled', true, true]);
      assert.ok(res.body.run.finished_at);
      const command = await t.db('s3_cloudbackup_run_commands').where('run_id', run.id).first();
      assert.deepEqual([command.status, command.result_message, Boolean(command.processed_at)], ['failed', 'Cancelled by the client before the restore started', true]);
      const events = (await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}/events`).expect(200)).body.events;
      assert.deepEqual(events.map((e: { message_id: string }) => e.message_id), ['HYPERV_RESTORE_QUEUED', 'HYPERV_RESTORE_CANCELLED']);
      assert.equal(events[1].message, 'Hyper-V restore cancelled.');
      const before = await snapshotTables(t.db);
      assert.deepEqual((await clientPost(t.app, f.a.clientId, `/api/runs/${run.id}/cancel`).expect(409)).body, fail('The run has already finished and cannot be cancelled'));
      assert.deepEqual(await snapshotTables(t.db), before);
    });

    it('Can ask a running restore to stop, once', async () => {
      const run = await startRestore();
      await setRun(run.id, { status: 'running', started_at: toDbTime() });
      await t.db('s3_cloudbackup_run_commands').where('run_id', run.id).update({ status: 'processing' });
      const res = await clientPost(t.app, f.a.clientId, `/api/runs/${run.id}/cancel`).expect(200);
      assert.deepEqual([res.body.message, res.body.run.status, res.body.run.cancel_requested], ['Cancellation requested', 'running', true]);
      await clientPost(t.app, f.a.clientId, `/api/runs/${run.id}/cancel`).expect(200);
      const events = (await clientGet(t.app, f.a.clientId, `/api/runs/${run.id}/events`).expect(200)).body.events;
      assert.deepEqual(events.map((e: { message_id: string }) => e.message_id), ['HYPERV_RESTORE_QUEUED', 'HYPERV_RESTORE_CANCEL_REQUESTED']);
      assert.equal((await t.db('s3_cloudbackup_run_commands').where('run_id', run.id).first()).status, 'processing');
    });

    for (const status of ['success', 'warning', 'failed', 'cancelled'] as const) {
      it(`Rejects cancelling a ${status} run with 409 and changes nothing`, async () => {
        const run = await startRestore();
        await setRun(run.id, { status, finished_at: toDbTime() });
        const before = await snapshotTables(t.db);
        assert.deepEqual((await clientPost(t.app, f.a.clientId, `/api/runs/${run.id}/cancel`).expect(409)).body, fail('The run has already finished and cannot be cancelled'));
        assert.deepEqual(await snapshotTables(t.db), before);
      });
    }

    it('Cannot see or cancel another client\'s run: it answers exactly like a missing one', async () => {
      const run = await startRestore();
      const backupRunId = Number((await t.db('s3_hyperv_backup_points').where('id', f.a.fullPointId).first('run_id')).run_id);
      const before = await snapshotTables(t.db);
      const missing = fail('Run not found');
      for (const ref of [String(run.id), run.uuid]) {
        assert.deepEqual((await clientGet(t.app, f.b.clientId, `/api/runs/${ref}`).expect(404)).body, missing);
        assert.deepEqual((await clientGet(t.app, f.b.clientId, `/api/runs/${ref}/events`).expect(404)).body, missing);
        assert.deepEqual((await clientGet(t.app, f.b.clientId, `/api/runs/${ref}/events?after=oops`).expect(404)).body, missing);
        assert.deepEqual((await clientPost(t.app, f.b.clientId, `/api/runs/${ref}/cancel`).expect(404)).body, missing);
      }
      for (const ref of ['99999999', '0f8fad5b-d9cb-469f-a165-70867728950e', 'abc', '0', String(backupRunId)]) {
        assert.deepEqual((await clientGet(t.app, f.a.clientId, `/api/runs/${ref}`).expect(404)).body, missing, ref);
        assert.deepEqual((await clientPost(t.app, f.a.clientId, `/api/runs/${ref}/cancel`).expect(404)).body, missing, ref);
      }
      assert.deepEqual(await snapshotTables(t.db), before);
      const own = await t.db('s3_cloudbackup_runs').where('id', run.id).first();
      assert.deepEqual([own.status, Number(own.cancel_requested), json(own.stats_json).vm_id], ['queued', 0, f.a.vmId]);
    });
  });
}
