// The end-to-end restore against an S3 repository on a local versitygw: the job's destination (bucket, prefix, keys,
// the module's endpoint setting) comes from the WHMCS rows, the agent's config names none of it; every point restored
// through the client API is byte for byte what the disks held.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { clientGet, clientPost } from '../helpers/http.js';
import { buildSampleVm, createTestRepository, diskLayout, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';
import { createRestoreWorld, type RestoreWorld } from '../helpers/restore-world.js';
import { startVersityGw, type VersityGw, s3RepositoryOn } from '../helpers/versitygw.js';

describe('Restore end to end on an S3 repository (versitygw)', function () {
  this.timeout(600_000);
  let dir: string;
  let gw: VersityGw;
  let repo: TestRepository;
  let vm: SampleVm;
  let world: RestoreWorld;
  let agent: AgentProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-e2e-s3-'));
    gw = await startVersityGw();
    await gw.createBucket('backups');
    repo = await createTestRepository(s3RepositoryOn(gw, 'backups', 'job-9/'));
    vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 20), diskLayout('data.vhdx', 9, 999)]);
    world = await createRestoreWorld(repo, vm, 'mariadb', dir);
    agent = startAgent(world.configFile);
  });

  after(async () => {
    await agent?.stop();
    await world?.close();
    await repo?.cleanup();
    await gw?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('Can restore every point byte for byte and sparse, without the S3 secret in the agent log', async () => {
    for (const [p, pointId] of world.pointIds.entries()) {
      const started = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: pointId, target_path: `C:\\S3\\p${p}` });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const runId = Number(started.body.restore_run_id);
      let status = 'queued';
      for (let i = 0; i < 1800 && !['success', 'warning', 'failed', 'cancelled'].includes(status); i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await clientGet(world.test.app, world.clientId, `/api/runs/${runId}`).expect(200)).body.run.status as string;
      }
      assert.equal(status, 'success', agent.output().slice(-3000));
      for (const disk of vm.disks) {
        const file = join(world.driveC, 'S3', `p${p}`, disk.name);
        assert.equal(await sha256File(file), vm.points[p]!.sha256[disk.name], `${disk.name} at point ${p}`);
        assert.ok((await stat(file)).blocks * 512 < disk.size * 0.8);
      }
    }
    assert.ok(!agent.output().includes(gw.secretAccessKey));
    assert.ok(!agent.output().includes(repo.password));
  });
});
