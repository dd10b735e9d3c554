import assert from 'node:assert/strict';
import { testDialects } from '../helpers/database.js';
import { insertJob, insertPoint, insertVm, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { clientGet, clientPost, seededApp, signedRequest, type TestApp } from '../helpers/http.js';
import { unsafeTextProblem } from '../../sidecar/lib/text-input.js';
import { BAD_TARGET_PATHS, systemFolderPaths } from '../helpers/target-paths.js';

const RESTORES = '/api/hyperv/restores';
const fail = (message: string) => ({ status: 'fail', message });
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

for (const dialect of testDialects()) {
  describe(`POST /api/hyperv/restores (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });

    const manifestsOf = async (pointId: number) => json((await t.db('s3_hyperv_backup_points').where('id', pointId).first('disk_manifests')).disk_manifests) as Record<string, string>;

    it('Can start a restore of a Full point: run, command and event rows', async () => {
      const res = await clientPost(t.app, f.a.clientId, RESTORES, { backup_point_id: f.a.fullPointId, target_path: 'C:\\Restored\\full' }).expect(200);
      const body = res.body;
      assert.equal(body.status, 'success');
      assert.equal(body.message, 'Hyper-V restore started');
      assert.deepEqual([body.job_id, body.vm_name, body.disks_to_restore, body.backup_type, body.restore_chain_length], [f.a.jobId, 'web-a', 2, 'Full', 1]);
      assert.match(body.restore_run_uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

      const run = await t.db('s3_cloudbackup_runs').where('id', body.restore_run_id).first();
      assert.deepEqual([Number(run.job_id), Number(run.agent_id), run.status, run.run_type, run.run_uuid, Number(run.cancel_requested)], [f.a.jobId, f.a.agentId, 'queued', 'hyperv_restore', body.restore_run_uuid, 0]);
      const stats = json(run.stats_json);
      assert.deepEqual([stats.type, stats.backup_point_id, stats.vm_id, stats.target_path, stats.disk_count, stats.disks, stats.restore_chain], ['hyperv_restore', f.a.fullPointId, f.a.vmId, 'C:\\Restored\\full', 2, f.a.diskPaths, [f.a.fullPointId]]);
      assert.deepEqual(json(run.progress_json).disks.map((d: { name: string; status: string }) => [d.name, d.status]), [['disk0.vhdx', 'pending'], ['data.vhdx', 'pending']]);

      const manifests = await manifestsOf(f.a.fullPointId);
      const commands = await t.db('s3_cloudbackup_run_commands').where('run_id', body.restore_run_id);
      assert.equal(commands.length, 1);
      const command = commands[0];
      assert.deepEqual([Number(command.id), Number(command.agent_id), command.type, command.status], [body.command_id, f.a.agentId, 'hypervrestore_restore', 'pending']);
      const vm = await t.db('s3_hyperv_vms').where('id', f.a.vmId).first('vm_guid');
      assert.deepEqual(json(command.payload_json), {
        backup_point_id: f.a.fullPointId, vm_name: 'web-a', vm_guid: vm.vm_guid, target_path: 'C:\\Restored\\full', disk_manifests: manifests,
        restore_chain: [{ backup_point_id: f.a.fullPointId, manifest_id: manifests[f.a.diskPaths[0]!], backup_type: 'Full', disk_manifests: manifests }],
        backup_type: 'Full', restore_run_id: body.restore_run_id, restore_run_uuid: body.restore_run_uuid,
      });

      const events = await clientGet(t.app, f.a.clientId, `/api/runs/${body.restore_run_uuid}/events`).expect(200);
      assert.deepEqual(events.body.events.map((e: { message_id: string; message: string; type: string; level: string }) => [e.message_id, e.message, e.type, e.level]),
        [['HYPERV_RESTORE_QUEUED', 'Hyper-V restore queued for VM "web-a" (2 disks).', 'info', 'info']]);
    });

    it('Can start a restore of an Incremental with a 3-member chain for one disk (form body)', async () => {
      const [i1, i2] = f.a.incrementalPointIds as [number, number];
      const disk = f.a.diskPaths[1]!;
      const form = new URLSearchParams({ backup_point_id: String(i2), target_path: '\\\\nas01\\restores\\web-a', disk_filter: JSON.stringify([disk]), token: 'whmcs-csrf-token' }).toString();
      const res = await clientPost(t.app, f.a.clientId, RESTORES, form).expect(200);
      assert.deepEqual([res.body.backup_type, res.body.restore_chain_length, res.body.disks_to_restore], ['Incremental', 3, 1]);
      const command = await t.db('s3_cloudbackup_run_commands').where('run_id', res.body.restore_run_id).first();
      const payload = json(command.payload_json);
      const m = await Promise.all([f.a.fullPointId, i1, i2].map(manifestsOf));
      assert.deepEqual(payload.disk_manifests, { [disk]: m[2]![disk] });
      assert.deepEqual(payload.restore_chain, [
        { backup_point_id: f.a.fullPointId, manifest_id: m[0]![f.a.diskPaths[0]!], backup_type: 'Full', disk_manifests: { [disk]: m[0]![disk] } },
        { backup_point_id: i1, manifest_id: m[1]![f.a.diskPaths[0]!], backup_type: 'Incremental', disk_manifests: { [disk]: m[1]![disk] } },
        { backup_point_id: i2, manifest_id: m[2]![f.a.diskPaths[0]!], backup_type: 'Incremental', disk_manifests: { [disk]: m[2]![disk] } },
      ]);
      assert.deepEqual([payload.backup_type, payload.target_path, payload.restore_run_id], ['Incremental', '\\\\nas01\\restores\\web-a', res.body.restore_run_id]);
    });

    it('Can take disk_filter as repeated form fields and as a JSON array', async () => {
      const [d0, d1] = f.a.diskPaths as [string, string];
      const repeated = `backup_point_id=${f.a.fullPointId}&target_path=${encodeURIComponent('C:\\Restored\\rep')}&disk_filter=${encodeURIComponent(d1)}&disk_filter=${encodeURIComponent(d0)}`;
      const a = await clientPost(t.app, f.a.clientId, RESTORES, repeated).expect(200);
      const php = `backup_point_id=${f.a.fullPointId}&target_path=${encodeURIComponent('C:\\Restored\\php')}&disk_filter%5B0%5D=${encodeURIComponent(d1)}`;
      const b = await clientPost(t.app, f.a.clientId, RESTORES, php).expect(200);
      const c = await clientPost(t.app, f.a.clientId, RESTORES, { backup_point_id: String(f.a.fullPointId), target_path: 'C:\\Restored\\arr', disk_filter: [d1] }).expect(200);
      const disksOf = async (runId: number) => Object.keys(json((await t.db('s3_cloudbackup_run_commands').where('run_id', runId).first()).payload_json).disk_manifests);
      assert.deepEqual(await disksOf(a.body.restore_run_id), [d0, d1]);
      assert.deepEqual(await disksOf(b.body.restore_run_id), [d1]);
      assert.deepEqual(await disksOf(c.body.restore_run_id), [d1]);
    });

    it('Can record the admin acting as the client', async () => {
      const res = await signedRequest(t.app, { method: 'POST', path: RESTORES, clientId: f.a.clientId, adminId: 7, body: { backup_point_id: f.a.derivedPointId, target_path: 'C:\\Restored\\admin' } }).expect(200);
      const run = await t.db('s3_cloudbackup_runs').where('id', res.body.restore_run_id).first('stats_json');
      assert.deepEqual(json(run.stats_json).requested_by, { client_id: f.a.clientId, admin_id: 7 });
    });

    it('Rejects a second restore of the same VM to the same folder while one is queued (409)', async () => {
      const first = await clientPost(t.app, f.b.clientId, RESTORES, { backup_point_id: f.b.fullPointId, target_path: 'C:\\Restored\\Twice' }).expect(200);
      const before = await snapshotTables(t.db);
      for (const target of ['C:\\Restored\\Twice', 'c:\\restored\\twice\\', '\\\\127.0.0.1\\c$\\Restored\\Twice', '\\\\localhost\\C$\\Restored\\Twice', '\\\\LOCALHOST\\c$\\restored\\twice\\']) {
        const res = await clientPost(t.app, f.b.clientId, RESTORES, { backup_point_id: f.b.incrementalPointIds[0], target_path: target }).expect(409);
        // The spec's text, plus the restore in the way so the wizard can link to it.
        assert.deepEqual(res.body, { ...fail('A restore of this VM to this folder is already queued or running'), restore_run_id: first.body.restore_run_id });
      }
      assert.deepEqual(await snapshotTables(t.db), before);
      await clientPost(t.app, f.b.clientId, RESTORES, { backup_point_id: f.b.fullPointId, target_path: 'C:\\Restored\\Elsewhere' }).expect(200);
      await clientPost(t.app, f.b.clientId, `/api/runs/${first.body.restore_run_id}/cancel`).expect(200);
      await clientPost(t.app, f.b.clientId, RESTORES, { backup_point_id: f.b.fullPointId, target_path: 'C:\\Restored\\Twice' }).expect(200);
    });

    it('Can let exactly one of several concurrent identical restores through', async () => {
      const send = () => clientPost(t.app, f.b.clientId, RESTORES, { backup_point_id: f.b.incrementalPointIds[1], target_path: 'C:\\Restored\\Race' });
      const results = await Promise.all([send(), send(), send(), send()]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409, 409]);
      const runs = await t.db('s3_cloudbackup_runs').where({ run_type: 'hyperv_restore', job_id: f.b.jobId, status: 'queued' });
      assert.equal(runs.filter((r) => json(r.stats_json).target_path === 'C:\\Restored\\Race').length, 1);
    });

    describe('bad input', function () {
      const cases: [string, () => Promise<unknown>, number, string][] = [];
      const body = (over: Record<string, unknown>) => async () => ({ backup_point_id: f.a.fullPointId, target_path: 'C:\\Restored\\ok', ...over });
      cases.push(['no backup_point_id', body({ backup_point_id: undefined }), 400, 'backup_point_id is required']);
      cases.push(['a backup_point_id that is not a number', body({ backup_point_id: 'seven' }), 400, 'backup_point_id is required']);
      cases.push(['a backup_point_id of true', body({ backup_point_id: true }), 400, 'backup_point_id is required']);
      cases.push(['a negative backup_point_id', body({ backup_point_id: -4 }), 400, 'backup_point_id is required']);
      cases.push(['no target_path', body({ target_path: undefined }), 400, 'target_path is required']);
      // A control character is refused for every text field before the path rules look at it.
      for (const [path, message] of BAD_TARGET_PATHS) cases.push([`target_path ${JSON.stringify(path.slice(0, 40))}`, body({ target_path: path }), 400, unsafeTextProblem('target_path', path) ?? message]);
      const hidden: [string, string][] = [['\ud800', 'a broken character (a lone UTF-16 surrogate, U+D800)'], ['\udfff', 'a broken character (a lone UTF-16 surrogate, U+DFFF)'],
        ['\u202e', 'an invisible or control character (U+202E)'], ['\u2066', 'an invisible or control character (U+2066)'], ['\u200b', 'an invisible or control character (U+200B)'],
        ['\ufeff', 'an invisible or control character (U+FEFF)'], ['\u00ad', 'an invisible or control character (U+00AD)'], ['\u00a0', 'an invisible or control character (U+00A0)'],
        ['\u3164', 'an invisible or control character (U+3164)'], ['\u0085', 'an invisible or control character (U+0085)'], ['\u007f', 'an invisible or control character (U+007F)']];
      for (const [c, what] of hidden) {
        cases.push([`a target_path with ${JSON.stringify(c)} inside a valid folder`, body({ target_path: `C:\\Restore\\web${c}01` }), 400, `target_path contains ${what}`]);
        cases.push([`a disk_filter entry with ${JSON.stringify(c)} inside a real disk path`, async () => ({ ...(await body({})()), disk_filter: [`${f.a.diskPaths[0]!}${c}`] }), 400, `disk_filter contains ${what}`]);
      }
      // The suggested folder names the point's own VM.
      for (const [path, message] of systemFolderPaths('web-a')) cases.push([`the system folder ${JSON.stringify(path)}`, body({ target_path: path }), 400, message]);
      cases.push(['a system folder with another client\'s point', async () => ({ backup_point_id: f.b.fullPointId, target_path: 'C:\\Windows' }), 400,
        'target_path is inside the Windows system folder C:\\Windows: writing there can break the host. Choose a folder of your own, such as C:\\Restores']);
      cases.push(['a disk_filter that is not JSON', body({ disk_filter: '["C:\\' }), 400, 'disk_filter must be a JSON array of disk paths']);
      cases.push(['a disk_filter that is a JSON object', body({ disk_filter: '{"a":"b"}' }), 400, 'disk_filter must be a JSON array of disk paths']);
      cases.push(['an empty disk_filter', body({ disk_filter: [] }), 400, 'No disks selected']);
      cases.push(['a disk_filter naming a disk twice', async () => ({ ...(await body({})()), disk_filter: [f.a.diskPaths[0], f.a.diskPaths[0]] }), 400, `disk_filter names the same disk twice: ${'C:\\VMs\\web-a\\disk0.vhdx'}`]);
      cases.push(['a disk_filter naming another VM\'s disk', async () => ({ ...(await body({})()), disk_filter: [f.b.diskPaths[0]] }), 400, 'disk_filter names a disk that is not in this backup point: C:\\VMs\\web-b\\disk0.vhdx']);
      for (const inherited of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        cases.push([`a disk_filter naming "${inherited}"`, body({ disk_filter: [inherited] }), 400, `disk_filter names a disk that is not in this backup point: ${inherited}`]);
      }
      cases.push(['another client\'s backup point', async () => ({ backup_point_id: f.b.fullPointId, target_path: 'C:\\Restored\\x' }), 404, 'Backup point not found']);
      cases.push(['a missing backup point', body({ backup_point_id: 4000000 }), 404, 'Backup point not found']);
      cases.push(['a point on a disabled agent', async () => ({ backup_point_id: f.disabled.pointId, target_path: 'C:\\Restored\\x' }), 409, 'The agent of this job is disabled']);
      cases.push(['a point whose job has no agent', async () => {
        const jobId = await insertJob(t.db, f.a.clientId, null, 'no agent');
        const vmId = await insertVm(t.db, jobId, 'orphan');
        return { backup_point_id: await insertPoint(t.db, { vmId, jobId, type: 'Full', diskPaths: ['C:\\o.vhdx'], minute: 900 }), target_path: 'C:\\Restored\\x' };
      }, 409, 'This job has no agent to restore with']);
      cases.push(['a point whose job\'s agent belongs to another client', async () => {
        const jobId = await insertJob(t.db, f.a.clientId, f.b.agentId, 'borrowed agent');
        const vmId = await insertVm(t.db, jobId, 'borrowed');
        return { backup_point_id: await insertPoint(t.db, { vmId, jobId, type: 'Full', diskPaths: ['C:\\b.vhdx'], minute: 901 }), target_path: 'C:\\Restored\\x' };
      }, 409, 'This job has no agent to restore with']);
      cases.push(['a point whose chain is broken', async () => {
        const vmId = await insertVm(t.db, f.a.jobId, 'broken');
        return { backup_point_id: await insertPoint(t.db, { vmId, jobId: f.a.jobId, type: 'Incremental', parentId: null, diskPaths: ['C:\\x.vhdx'], minute: 902 }), target_path: 'C:\\Restored\\x' };
      }, 409, 'Restore chain is broken']);
      cases.push(['a point whose own backup run failed', async () => {
        const vmId = await insertVm(t.db, f.a.jobId, 'failed');
        return { backup_point_id: await insertPoint(t.db, { vmId, jobId: f.a.jobId, type: 'Full', runStatus: 'failed', diskPaths: ['C:\\x.vhdx'], minute: 903 }), target_path: 'C:\\Restored\\x' };
      }, 409, 'Restore chain is broken']);
      cases.push(['a body over 64 kB', async () => ({ backup_point_id: f.a.fullPointId, target_path: 'C:\\' + 'a'.repeat(70_000) }), 413, 'Request body too large']);

      for (const [name, make, status, message] of cases) {
        it(`Rejects ${name} with ${status} and changes nothing`, async () => {
          const input = await make();
          const before = await snapshotTables(t.db);
          const res = await clientPost(t.app, f.a.clientId, RESTORES, input).expect(status);
          assert.deepEqual(res.body, fail(message));
          assert.deepEqual(await snapshotTables(t.db), before);
        });
      }
      it(`Rejects at least 25 bad target paths (${BAD_TARGET_PATHS.length})`, () => assert.ok(BAD_TARGET_PATHS.length >= 25));
    });
  });
}
