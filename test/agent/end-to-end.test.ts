// End to end with every real part: a kopia v0.22.3 repository holding a two-disk VM at three points, MariaDB, the
// sidecar on a real port, the compiled agent as its own process. Restores go through the client API and are
// checked byte for byte (SHA-256), for sparseness, events and progress; then a missing snapshot and a cancel.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESTORE_COMMAND_TYPE } from '../../sidecar/schemas/agent.js';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { clientGet, clientPost } from '../helpers/http.js';
import { buildSampleVm, createTestRepository, diskLayout, sha256File, writeDisk, type SampleVm, type TestRepository } from '../helpers/kopia.js';
import { rotateJobKeys } from '../helpers/job-storage.js';
import { createRestoreWorld, insertRealPoint, type RestoreWorld } from '../helpers/restore-world.js';

const MiB = 1024 * 1024;

interface RunView {
  status: string;
  error_summary: string | null;
  progress: { bytes_done: number; bytes_total: number; percent: number | null; disks_done: number; disks_total: number };
  disks: { name: string; status: string; bytes_total: number; bytes_done: number; message: string | null }[];
}
interface EventView { message_id: string; params: Record<string, unknown>; message: string }

/** kopia processes started for this world's agent (their config lives under its work dir). */
function kopiaProcessesUnder(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(dir) && l.includes('kopia') && !l.includes('node '));
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

const BIG_SIZE = 512 * MiB + 999;

describe('Restore end to end (real kopia, MariaDB, sidecar and agent processes)', function () {
  this.timeout(600_000);
  let dir: string;
  let repo: TestRepository;
  let vm: SampleVm;
  let world: RestoreWorld;
  let agent: AgentProcess;
  let bigManifest: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-e2e-'));
    repo = await createTestRepository();
    vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 24), diskLayout('data.vhdx', 13, 4321)]);
    // A disk of random data only (no zero chunk to skip) for the cancel test: big enough to be mid-way when cancelled.
    const bigFile = join(repo.dir, 'big.vhdx');
    await writeDisk(bigFile, { name: 'big.vhdx', size: BIG_SIZE, zeroRegions: [] }, 'big');
    bigManifest = await repo.snapshotFile(bigFile, 'C:\\VMs\\big.vhdx');
    await rm(bigFile);
    world = await createRestoreWorld(repo, vm, 'mariadb', dir);
    agent = startAgent(world.configFile);
  });

  after(async () => {
    if (process.env.E2E_DUMP) process.stderr.write(agent.output());
    await agent?.stop();
    await world?.close();
    await repo?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  async function startRestore(body: Record<string, unknown>): Promise<number> {
    const res = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return Number(res.body.restore_run_id);
  }

  async function runOf(runId: number): Promise<RunView> {
    return (await clientGet(world.test.app, world.clientId, `/api/runs/${runId}`).expect(200)).body.run as RunView;
  }

  async function waitFor(runId: number, done: (run: RunView) => boolean, timeoutMs = 180_000): Promise<RunView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const run = await runOf(runId);
      if (done(run)) return run;
      if (Date.now() > until) throw new Error(`run ${runId} still ${run.status}; agent output:\n${agent.output().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const finished = (run: RunView) => ['success', 'warning', 'failed', 'cancelled'].includes(run.status);

  /** Waits for restored data in the .partial itself: a progress report comes on a timer, and a fast machine can
   * finish the whole disk in between. */
  async function untilDataOnDisk(partial: string, runId: number): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (((await stat(partial).catch(() => null))?.blocks ?? 0) === 0) {
      assert.ok(Date.now() < deadline && !finished(await runOf(runId)), 'the restore never started writing the disk');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async function eventsOf(runId: number): Promise<EventView[]> {
    return (await clientGet(world.test.app, world.clientId, `/api/runs/${runId}/events?after=0`).expect(200)).body.events as EventView[];
  }

  it('Can restore every point of a two-disk VM byte for byte, sparse, with progress and events', async () => {
    for (const [p, pointId] of world.pointIds.entries()) {
      const runId = await startRestore({ backup_point_id: pointId, target_path: `C:\\Restored\\p${p}` });
      const run = await waitFor(runId, finished);
      assert.equal(run.status, 'success', `point ${p}: ${run.error_summary}`);
      const folder = join(world.driveC, 'Restored', `p${p}`);
      assert.deepEqual(filesUnder(folder), ['data.vhdx', 'disk0.vhdx']);
      for (const disk of vm.disks) {
        const file = join(folder, disk.name);
        assert.equal(await sha256File(file), vm.points[p]!.sha256[disk.name], `${disk.name} at point ${p}`);
        const info = await stat(file);
        assert.equal(info.size, disk.size);
        assert.ok(info.blocks * 512 < disk.size * 0.8, `${disk.name}: ${info.blocks * 512} bytes allocated of ${disk.size}`);
      }
      const total = vm.disks.reduce((s, d) => s + d.size, 0);
      assert.deepEqual([run.progress.bytes_done, run.progress.bytes_total, run.progress.percent, run.progress.disks_done], [total, total, 100, 2]);
      assert.deepEqual(run.disks.map((d) => [d.name, d.status, d.bytes_done]), vm.disks.map((d) => [d.name, 'done', d.size]));
      const ids = (await eventsOf(runId)).map((e) => e.message_id).filter((id) => id !== 'HYPERV_RESTORE_DISK_PROGRESS' && id !== 'HYPERV_RESTORE_NOTICE');
      assert.deepEqual(ids, [
        'HYPERV_RESTORE_QUEUED', 'HYPERV_RESTORE_STARTING',
        'HYPERV_RESTORE_DISK_STARTING', 'HYPERV_RESTORE_DISK_COMPLETE', 'HYPERV_RESTORE_DISK_STARTING', 'HYPERV_RESTORE_DISK_COMPLETE',
        'HYPERV_RESTORE_COMPLETE',
      ]);
      const complete = (await eventsOf(runId)).find((e) => e.message_id === 'HYPERV_RESTORE_COMPLETE');
      assert.equal(complete?.message, `Hyper-V restore completed: 2/2 disks restored to C:\\Restored\\p${p}.`);
    }
    assert.deepEqual(kopiaProcessesUnder(dir), []);
  });

  it('Can restore only the selected disk and leave the other alone', async () => {
    const runId = await startRestore({ backup_point_id: world.pointIds[1], target_path: 'C:\\Restored\\only', disk_filter: [vm.hostPath('data.vhdx')] });
    const run = await waitFor(runId, finished);
    assert.equal(run.status, 'success');
    const folder = join(world.driveC, 'Restored', 'only');
    assert.deepEqual(filesUnder(folder), ['data.vhdx']);
    assert.equal(await sha256File(join(folder, 'data.vhdx')), vm.points[1]!.sha256['data.vhdx']);
  });

  it('Can restore the other disk when one disk\'s snapshot is missing: that disk fails alone, run warning', async () => {
    const missing = 'f00d'.repeat(8);
    const manifests = { [vm.hostPath('disk0.vhdx')]: vm.points[2]!.manifests['disk0.vhdx']!, [vm.hostPath('data.vhdx')]: missing };
    const jobId = (await world.test.db('s3_hyperv_vms').where({ id: world.vmId }).first('job_id')).job_id as number;
    const pointId = await insertRealPoint(world.test.db, world.vmId, jobId, 'Incremental', world.pointIds[2]!, manifests, 10);
    const runId = await startRestore({ backup_point_id: pointId, target_path: 'C:\\Restored\\partial' });
    const run = await waitFor(runId, finished);
    assert.equal(run.status, 'warning');
    const folder = join(world.driveC, 'Restored', 'partial');
    assert.deepEqual(filesUnder(folder), ['disk0.vhdx']);
    assert.equal(await sha256File(join(folder, 'disk0.vhdx')), vm.points[2]!.sha256['disk0.vhdx']);
    assert.deepEqual(run.disks.map((d) => [d.name, d.status]), [['disk0.vhdx', 'done'], ['data.vhdx', 'failed']]);
    const failedEvent = (await eventsOf(runId)).find((e) => e.message_id === 'HYPERV_RESTORE_DISK_FAILED');
    // The customer reads that the storage could not be read; the snapshot id is kept for the admin page.
    assert.equal(failedEvent?.message, 'Disk data.vhdx restore failed: the backup storage could not be read.');
    assert.ok(!JSON.stringify(failedEvent).includes(missing), 'no snapshot id in what the client reads');
    assert.equal(run.error_summary, '1 of 2 disks restored to C:\\Restored\\partial; failed: data.vhdx: the backup storage could not be read');
    const stored = await world.test.db('s3_cloudbackup_run_events').where({ run_id: runId, message_id: 'HYPERV_RESTORE_DISK_FAILED' }).first('params_json');
    assert.equal(JSON.parse(stored.params_json).detail, `Snapshot ${missing} was not found in the repository`);
  });

  let bigPointId = 0;
  async function bigPoint(): Promise<number> {
    if (bigPointId) return bigPointId;
    const db = world.test.db;
    const jobId = (await db('s3_hyperv_vms').where({ id: world.vmId }).first('job_id')).job_id as number;
    const bigVmId = Number((await db('s3_hyperv_vms').insert({ job_id: jobId, vm_name: 'big01', vm_guid: 'big-guid' }))[0]);
    bigPointId = await insertRealPoint(db, bigVmId, jobId, 'Full', null, { 'C:\\VMs\\big.vhdx': bigManifest }, 20);
    return bigPointId;
  }

  it('Can cancel during a disk: run cancelled, no .partial, no final file, no kopia process left', async () => {
    const db = world.test.db;
    const pointId = await bigPoint();
    const runId = await startRestore({ backup_point_id: pointId, target_path: 'C:\\Restored\\cancel' });
    const folder = join(world.driveC, 'Restored', 'cancel');
    await untilDataOnDisk(join(folder, 'big.vhdx.partial'), runId);
    // Hold the agent's kopia server still, so the disk cannot finish while the test reads the progress; the agent
    // itself keeps running and reporting what it has written.
    const servers = kopiaProcessesUnder(dir).map((line) => Number(line.trim().split(/\s+/)[0]));
    for (const pid of servers) process.kill(pid, 'SIGSTOP');
    try {
      const midway = await waitFor(runId, (run) => finished(run) || run.disks.some((d) => d.bytes_done > 0), 120_000);
      assert.equal(midway.status, 'running');
      assert.equal(midway.progress.bytes_total, BIG_SIZE);
      assert.ok(midway.progress.bytes_done > 0 && midway.progress.bytes_done < midway.progress.bytes_total);
      const beat = await db('s3_cloudbackup_runs').where({ id: runId }).first('current_item', 'speed_bytes_per_sec', 'updated_at');
      assert.equal(beat.current_item, 'Disk 1/1: big.vhdx');
      // Freeze the agent while the cancel is put on record, so a fast machine cannot finish the disk in between.
      agent.child.kill('SIGSTOP');
    } finally {
      for (const pid of servers) process.kill(pid, 'SIGCONT');
    }
    const cancelledAt = Date.now();
    let cancel;
    try {
      cancel = await clientPost(world.test.app, world.clientId, `/api/runs/${runId}/cancel`, {});
    } finally {
      agent.child.kill('SIGCONT');
    }
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    const run = await waitFor(runId, finished, 30_000);
    assert.equal(run.status, 'cancelled');
    // Heartbeat (1 s) + abort + kopia ended + .partial removed + final report: well within a few seconds.
    const took = Date.now() - cancelledAt;
    if (process.env.E2E_DUMP) process.stderr.write(`cancel took ${took} ms\n`);
    assert.ok(took < 5000, `cancel took ${took} ms`);
    assert.deepEqual(filesUnder(folder), []);
    assert.deepEqual(kopiaProcessesUnder(dir), []);
    const ids = (await eventsOf(runId)).map((e) => e.message_id);
    assert.ok(ids.includes('HYPERV_RESTORE_CANCEL_REQUESTED'));
    assert.equal(ids.at(-1), 'HYPERV_RESTORE_CANCELLED');
    const command = await db('s3_cloudbackup_run_commands').where({ run_id: runId }).first();
    assert.deepEqual([command.status, command.result_message], ['failed', 'Cancelled: Restore cancelled by the user']);
  });

  it('Rejects a payload the server should never have sent (path traversal, unknown field, wrong type): the agent refuses it itself', async () => {
    const db = world.test.db;
    const run = await db('s3_cloudbackup_runs').where({ agent_id: world.agentId }).first('job_id');
    const payloads: [Record<string, unknown>, string][] = [
      // Read as Windows would open it, this is C:\Windows: refused for that, the stronger reason.
      [{ target_path: 'C:\\Restored\\..\\..\\Windows\\System32' },
        'target_path is inside the Windows system folder C:\\Windows: writing there can break the host. Choose a folder of your own, such as C:\\Restores\\web01'],
      [{ target_path: 'C:\\Restored\\..\\..\\Other' }, 'target_path must not contain "." or ".." segments'],
      [{ run_as: 'SYSTEM' }, 'invalid restore payload: payload.run_as is not allowed'],
      [{ disk_manifests: { [vm.hostPath('disk0.vhdx')]: 42 } }, `invalid restore payload: payload.disk_manifests.${vm.hostPath('disk0.vhdx')} must be string`],
    ];
    for (const [change, message] of payloads) {
      // Inserted as a compromised or buggy server would: the client API itself refuses such input.
      const [runId] = await db('s3_cloudbackup_runs').insert({ job_id: run.job_id, agent_id: world.agentId, status: 'queued', run_type: 'hyperv_restore' });
      const payload = {
        backup_point_id: world.pointIds[0], vm_name: 'web01', target_path: 'C:\\Restored\\bad', restore_run_id: runId,
        disk_manifests: { [vm.hostPath('disk0.vhdx')]: vm.points[0]!.manifests['disk0.vhdx'] }, ...change,
      };
      await db('s3_cloudbackup_run_commands').insert({ run_id: runId, agent_id: world.agentId, type: RESTORE_COMMAND_TYPE, status: 'pending', payload_json: JSON.stringify(payload) });
      const view = await waitFor(Number(runId), finished, 30_000);
      assert.deepEqual([view.status, view.error_summary], ['failed', message]);
      const events = await eventsOf(Number(runId));
      assert.equal(events.at(-1)?.message, `Hyper-V restore failed: ${message}.`);
    }
    assert.ok(!existsSync(join(world.driveC, 'Restored', 'bad')));
    assert.ok(!existsSync(join(world.driveC, 'Windows')));
  });

  it('Can stop on SIGTERM during a restore: run failed with a clear message, nothing left behind, exit code 0', async () => {
    const runId = await startRestore({ backup_point_id: await bigPoint(), target_path: 'C:\\Restored\\sigterm' });
    await untilDataOnDisk(join(world.driveC, 'Restored', 'sigterm', 'big.vhdx.partial'), runId);
    assert.equal(await agent.stop('SIGTERM'), 0);
    const run = await runOf(runId);
    assert.deepEqual([run.status, run.error_summary], ['failed', 'the agent was stopped during the restore']);
    assert.deepEqual(filesUnder(join(world.driveC, 'Restored', 'sigterm')), []);
    assert.deepEqual(kopiaProcessesUnder(dir), []);
    assert.match(agent.output(), /"msg":"agent stopped"/);
    assert.ok(!agent.output().includes(repo.password), 'the repository password never reaches the log');
  });

  it('Can stop on SIGHUP (a closed console) during a restore the same way as on SIGTERM', async () => {
    agent = startAgent(world.configFile);
    const runId = await startRestore({ backup_point_id: await bigPoint(), target_path: 'C:\\Restored\\sighup' });
    await untilDataOnDisk(join(world.driveC, 'Restored', 'sighup', 'big.vhdx.partial'), runId);
    assert.equal(await agent.stop('SIGHUP'), 0);
    const run = await runOf(runId);
    assert.deepEqual([run.status, run.error_summary], ['failed', 'the agent was stopped during the restore']);
    assert.deepEqual(filesUnder(join(world.driveC, 'Restored', 'sighup')), []);
    assert.deepEqual(kopiaProcessesUnder(dir), []);
    assert.match(agent.output(), /"msg":"shutting down".*"signal":"SIGHUP"/);
  });

  it('Can exit at once on a second stop signal and still leave no kopia process running', async () => {
    agent = startAgent(world.configFile);
    const runId = await startRestore({ backup_point_id: await bigPoint(), target_path: 'C:\\Restored\\twice' });
    await untilDataOnDisk(join(world.driveC, 'Restored', 'twice', 'big.vhdx.partial'), runId);
    agent.child.kill('SIGINT');
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 1);
    // Killed on the way out (not waited for): give the OS a moment to take them off the process list.
    const until = Date.now() + 5000;
    while (kopiaProcessesUnder(dir).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(kopiaProcessesUnder(dir), []);
  });

  it('Can fail a run with a clear message when the repository cannot be opened (the job\'s key was rotated, so the password is wrong)', async () => {
    await rotateJobKeys(world.test.db, world.jobId, 'HVRROTATEDACCESS0001', 'not-the-password-rotated-0001');
    agent = startAgent(world.configFile);
    const runId = await startRestore({ backup_point_id: world.pointIds[0], target_path: 'C:\\Restored\\badpass' });
    const run = await waitFor(runId, finished, 120_000);
    const message = 'the backup storage could not be read';
    assert.deepEqual([run.status, run.error_summary], ['failed', message]);
    assert.equal((await eventsOf(runId)).at(-1)?.message, `Hyper-V restore failed: ${message}.`);
    const stored = await world.test.db('s3_cloudbackup_run_events').where({ run_id: runId, message_id: 'HYPERV_RESTORE_FAILED' }).first('params_json');
    assert.equal(JSON.parse(stored.params_json).detail, 'Cannot open the backup repository: the repository password is wrong', 'the detail is kept for the admin page');
    assert.deepEqual(filesUnder(join(world.driveC, 'Restored', 'badpass')), []);
    assert.ok(!agent.output().includes('not-the-password-rotated-0001'));
  });
});
