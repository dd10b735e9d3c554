// A resumed restore deletes only what this run created (real kopia, real sidecar on SQLite, the agent's own
// runRestore in process). The crash is the moment the end of the run never reaches the sidecar: the journal is then
// left exactly as a killed agent leaves it, and the command is resumed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from '../../agent/config.js';
import { openRepository } from '../../agent/engine/repository-session.js';
import { runRestore, type RestoreDeps } from '../../agent/run/run-restore.js';
import { SidecarClient, SidecarError } from '../../agent/sidecar-client.js';
import { createLogger } from '../../sidecar/lib/log.js';
import type { FinishRequest } from '../../sidecar/schemas/agent.js';
import { clientGet, clientPost } from '../helpers/http.js';
import { buildSampleVm, createTestRepository, diskLayout, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';
import { createRestoreWorld, type RestoreWorld } from '../helpers/restore-world.js';
import { createPosixPlatform } from '../../agent/platform/posix.js';

/** A sidecar connection that loses the end of the run, as a crash just before it was sent would. */
class LosesTheEnd extends SidecarClient {
  override finish(_runId: number, _body: FinishRequest): Promise<never> {
    return Promise.reject(new SidecarError(409, 'test: the end of the run never arrives'));
  }
}

describe('Resumed restore (real kopia, sidecar on SQLite)', function () {
  this.timeout(300_000);
  let dir: string;
  let repo: TestRepository;
  let vm: SampleVm;
  let world: RestoreWorld;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-resume-'));
    repo = await createTestRepository();
    vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 2), diskLayout('disk1.vhdx', 2)], 1);
    world = await createRestoreWorld(repo, vm, 'sqlite', dir, { parallelism: 2 });
  });

  after(async () => {
    await world?.close();
    await repo?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('Cannot delete a .partial it did not create, also when the run is resumed after a crash', async () => {
    const config = loadAgentConfig(world.configFile);
    const options = { baseUrl: config.sidecarUrl, agentId: config.agentId, agentToken: config.agentToken };
    // The foreign file appears once the run's pre-fetch check of its targets has passed (another writer in between):
    // then only the exclusive create of the .partial stands between the two.
    const deps = (client: SidecarClient, beforeOpen?: () => Promise<void>): RestoreDeps => ({
      config, client, log: createLogger({ level: 'error' }), stopSignal: new AbortController().signal, platform: createPosixPlatform(),
      openRepository: async (o) => { await beforeOpen?.(); return openRepository(o); },
    });
    const started = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: world.pointIds[0], target_path: 'C:\\Restored\\foreign' }).expect(200);
    const folder = join(world.driveC, 'Restored', 'foreign');
    // Someone else's file where the first disk's .partial goes: another restore writing it, or a person's copy.
    const foreign = join(folder, 'disk0.vhdx.partial');
    await mkdir(folder, { recursive: true });
    const command = await new SidecarClient(options).claim();
    assert.equal(command?.run_id, started.body.restore_run_id);

    assert.equal(await runRestore(deps(new LosesTheEnd(options), () => writeFile(foreign, 'not this restore\'s bytes')), command!), 'warning', 'the first disk fails on the foreign file, the second is restored');
    assert.equal(await readFile(foreign, 'utf8'), 'not this restore\'s bytes');
    assert.ok(existsSync(join(config.workDir, `run-${command!.run_id}`, 'journal.json')), 'the journal is kept, as after a crash');

    // Resumed, the run's check of its targets finds the foreign .partial before anything is fetched and ends the run.
    assert.equal(await runRestore(deps(new SidecarClient(options)), command!, { resumed: true }), 'failed');
    assert.equal(await readFile(foreign, 'utf8'), 'not this restore\'s bytes', 'the resumed run left the foreign file alone');
    assert.ok(!existsSync(join(folder, 'disk0.vhdx')), 'and wrote no disk in its place');
    assert.equal(await sha256File(join(folder, 'disk1.vhdx')), vm.points[0]!.sha256['disk1.vhdx']);
    const run = await world.test.db('s3_cloudbackup_runs').where('id', command!.run_id).first('status', 'error_summary');
    assert.equal(run.status, 'failed');
    // The customer reads their own target path, never the agent host's folder; the admin page keeps that one.
    assert.match(String(run.error_summary), /C:\\Restored\\foreign\\disk0\.vhdx/);
    assert.ok(!String(run.error_summary).includes(world.driveC));
    const events = (await clientGet(world.test.app, world.clientId, `/api/runs/${command!.run_id}/events`).expect(200)).body.events as { message_id: string; params: object }[];
    assert.ok(!JSON.stringify(events).includes(world.driveC), 'no host path in what the client reads');
    assert.ok(!(await clientGet(world.test.app, world.clientId, `/api/runs/${command!.run_id}`).expect(200)).text.includes(world.driveC));
    const stored = await world.test.db('s3_cloudbackup_run_events').where({ run_id: command!.run_id, message_id: 'HYPERV_RESTORE_DISK_FAILED' }).pluck('params_json');
    assert.ok(stored.some((p: string) => String(JSON.parse(p).detail).startsWith(`${foreign} exists`)), 'the detail is kept for the admin page');
  });

  it('Cannot show the customer where the backup storage is: a generic sentence, the detail for the admin page', async () => {
    // The job's recorded destination points where no repository is: the sidecar hands the agent that path.
    await world.test.db('s3_cloudbackup_jobs').where('id', world.jobId).update({ dest_local_path: join(dir, 'no-repository-here') });
    const config = loadAgentConfig(world.configFile);
    const client = new SidecarClient({ baseUrl: config.sidecarUrl, agentId: config.agentId, agentToken: config.agentToken });
    const started = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: world.pointIds[0], target_path: 'C:\\Restored\\nostore' }).expect(200);
    const command = await client.claim();
    assert.equal(await runRestore({ config, client, log: createLogger({ level: 'error' }), openRepository, stopSignal: new AbortController().signal, platform: createPosixPlatform() }, command!), 'failed');
    const run = (await clientGet(world.test.app, world.clientId, `/api/runs/${started.body.restore_run_id}`).expect(200)).body.run as { status: string; error_summary: string };
    assert.deepEqual([run.status, run.error_summary], ['failed', 'the backup storage could not be read']);
    const events = (await clientGet(world.test.app, world.clientId, `/api/runs/${started.body.restore_run_id}/events`).expect(200)).body.events as { message: string }[];
    assert.equal(events.at(-1)?.message, 'Hyper-V restore failed: the backup storage could not be read.');
    assert.ok(!JSON.stringify(events).includes('no-repository-here'));
    const stored = await world.test.db('s3_cloudbackup_run_events').where({ run_id: started.body.restore_run_id, message_id: 'HYPERV_RESTORE_FAILED' }).first('params_json');
    assert.match(JSON.parse(stored.params_json).detail, /^Cannot open the backup repository: /);
  });
});
