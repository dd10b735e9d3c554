// Restore to another Hyper-V host of the same client, with every real part: the job's agent and a second host's
// agent run as their own processes, each knowing only its own identity (the second from the backup agent's
// agent.conf). The restore named for the second host comes back byte for byte on that host, the job's repository
// handed over at its claim; the job's agent never sees it. A restore an admin starts for the client runs the same
// way and names the admin. Another client's host answers as a missing agent.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { insertAgent, snapshotTables } from '../helpers/fixtures.js';
import { clientGet, clientPost, signedRequest } from '../helpers/http.js';
import { buildSampleVm, createTestRepository, diskLayout, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';
import { addWorldHost, createRestoreWorld, type RestoreWorld, type WorldHost } from '../helpers/restore-world.js';

const ADMIN = 4;

interface RunView {
  status: string;
  error_summary: string | null;
}

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : [];
}

describe('Restore to another host of the same client (real kopia, MariaDB, two agent processes)', function () {
  this.timeout(600_000);
  let dir: string;
  let repo: TestRepository;
  let vm: SampleVm;
  let world: RestoreWorld;
  let spare: WorldHost;
  let jobAgent: AgentProcess;
  let spareAgent: AgentProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-e2e-hosts-'));
    repo = await createTestRepository();
    vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 12), diskLayout('data.vhdx', 7, 4321)], 2);
    world = await createRestoreWorld(repo, vm, 'mariadb', dir);
    spare = await addWorldHost(world, dir, 'HV-SPARE');
    jobAgent = startAgent(world.configFile);
    spareAgent = startAgent(spare.configFile);
  });

  after(async () => {
    if (process.env.E2E_DUMP) process.stderr.write(jobAgent?.output() + '\n' + spareAgent?.output());
    await jobAgent?.stop();
    await spareAgent?.stop();
    await world?.close();
    await repo?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  async function waitFinished(runId: number): Promise<RunView> {
    const until = Date.now() + 180_000;
    for (;;) {
      const run = (await clientGet(world.test.app, world.clientId, `/api/runs/${runId}`).expect(200)).body.run as RunView;
      if (['success', 'warning', 'failed', 'cancelled'].includes(run.status)) return run;
      if (Date.now() > until) throw new Error(`run ${runId} still ${run.status}:\n${spareAgent.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('Can restore a point on the second host byte for byte, and the job\'s agent never receives it', async () => {
    const res = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: world.pointIds[1], target_path: 'C:\\Restored\\spare', agent_id: spare.agentId });
    assert.equal(res.status, 200, res.text);
    const runId = Number(res.body.restore_run_id);
    const run = await waitFinished(runId);
    assert.deepEqual([run.status, run.error_summary], ['success', null], spareAgent.output().slice(-3000));

    const folder = join(spare.driveC, 'Restored', 'spare');
    assert.deepEqual(filesUnder(folder), ['data.vhdx', 'disk0.vhdx']);
    for (const disk of vm.disks) assert.equal(await sha256File(join(folder, disk.name)), vm.points[1]!.sha256[disk.name], disk.name);
    assert.deepEqual(filesUnder(join(world.driveC, 'Restored')), []);

    const command = await world.test.db('s3_cloudbackup_run_commands').where('run_id', runId).first();
    assert.deepEqual([Number(command.agent_id), command.status], [spare.agentId, 'completed']);
    assert.ok(spareAgent.output().includes(`"runId":${runId}`), 'the second host claimed it');
    assert.ok(!jobAgent.output().includes(`"runId":${runId}`), 'the job\'s agent never saw it');
    assert.ok(spareAgent.output().includes('"msg":"repository open"'), 'the second host opened the job\'s repository');
  });

  it('Can still restore on the job\'s agent by default', async () => {
    const res = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: world.pointIds[0], target_path: 'C:\\Restored\\home' }).expect(200);
    assert.equal((await waitFinished(Number(res.body.restore_run_id))).status, 'success');
    assert.deepEqual(filesUnder(join(world.driveC, 'Restored', 'home')), ['data.vhdx', 'disk0.vhdx']);
    assert.equal(await sha256File(join(world.driveC, 'Restored', 'home', 'disk0.vhdx')), vm.points[0]!.sha256['disk0.vhdx']);
    assert.ok(!existsSync(join(spare.driveC, 'Restored', 'home')));
  });

  it('Can run a restore an admin started for the client end to end, with the admin recorded as its actor', async () => {
    const res = await signedRequest(world.test.app, {
      method: 'POST', path: '/admin/api/hyperv/restores', adminId: ADMIN, body: { backup_point_id: world.pointIds[0], target_path: 'C:\\Support\\web01', agent_id: spare.agentId },
    });
    assert.equal(res.status, 200, res.text);
    const runId = Number(res.body.restore_run_id);
    assert.equal((await waitFinished(runId)).status, 'success');
    for (const disk of vm.disks) assert.equal(await sha256File(join(spare.driveC, 'Support', 'web01', disk.name)), vm.points[0]!.sha256[disk.name], disk.name);
    // The client sees it as one of theirs; the queued event and the run's stats name the admin.
    const events = (await clientGet(world.test.app, world.clientId, `/api/runs/${runId}/events`).expect(200)).body.events as { message_id: string; params: Record<string, unknown> }[];
    assert.deepEqual([events[0]!.message_id, events[0]!.params.admin_id], ['HYPERV_RESTORE_QUEUED', ADMIN]);
    assert.equal(events.at(-1)!.message_id, 'HYPERV_RESTORE_COMPLETE');
    const run = await world.test.db('s3_cloudbackup_runs').where('id', runId).first('stats_json');
    const stats = typeof run.stats_json === 'string' ? JSON.parse(run.stats_json) : run.stats_json;
    assert.deepEqual(stats.requested_by, { client_id: world.clientId, admin_id: ADMIN });
    assert.match((await clientGet(world.test.app, world.clientId, '/pages/hyperv').expect(200)).text.replace(/&#x3D;/g, '='), new RegExp(`run_id=${runId}"`));
  });

  it('Rejects another client\'s host as a missing agent and changes nothing', async () => {
    const foreign = await insertAgent(world.test.db, world.clientId + 1, 'foreign-host-token-' + 'f'.repeat(32));
    // The agents stop first: their last-seen writes would differ between the two snapshots.
    await Promise.all([jobAgent.stop(), spareAgent.stop()]);
    const before = await snapshotTables(world.test.db);
    const res = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: world.pointIds[1], target_path: 'C:\\Restored\\foreign', agent_id: foreign });
    assert.deepEqual([res.status, res.body], [404, { status: 'fail', message: 'Agent not found' }]);
    assert.deepEqual(await snapshotTables(world.test.db), before);
  });
});
