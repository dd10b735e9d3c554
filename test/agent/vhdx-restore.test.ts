// Real VHDX disks restored through every real part: two VHDX files made with qemu-img (one dynamic of a size that
// is no multiple of its block size, one fixed), a Full and three Incrementals with the guest data changing between
// them, one kopia snapshot per disk per point, then each point restored through the client API by the compiled
// agent. What Hyper-V would open must be a valid VHDX holding the guest data of that point, and sparse.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVhdxVm, type VhdxVm } from '../../sidecar/demo/vhdx-vm.js';
import { checkVhdx, sameGuestContent } from '../../sidecar/demo/vhdx.js';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { clientGet, clientPost } from '../helpers/http.js';
import { createTestRepository, type TestRepository } from '../helpers/kopia.js';
import { createRestoreWorld, type RestoreWorld } from '../helpers/restore-world.js';
import { allocatedBytes, nonZeroBlockBytes } from '../helpers/sparse-bytes.js';

const VHDX_BLOCK = 8 * 1024 * 1024; // qemu-img's block size for VHDX disks up to 1 GiB

interface RunView { status: string; error_summary: string | null }

describe('VHDX restore (real qemu-img disks, kopia, MariaDB, sidecar and agent)', function () {
  this.timeout(300_000);
  let dir: string;
  let repo: TestRepository;
  let vm: VhdxVm;
  let world: RestoreWorld;
  let agent: AgentProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-vhdx-'));
    repo = await createTestRepository();
    vm = await buildVhdxVm(repo, { workDir: join(dir, 'disks'), pointCount: 4, copiesDir: join(dir, 'points') });
    world = await createRestoreWorld(repo, vm, 'mariadb', dir);
    agent = startAgent(world.configFile);
  });

  after(async () => {
    await agent?.stop();
    await world?.close();
    await repo?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function restore(pointId: number, target: string): Promise<RunView> {
    const res = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: pointId, target_path: target });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const until = Date.now() + 120_000;
    for (;;) {
      const run = (await clientGet(world.test.app, world.clientId, `/api/runs/${res.body.restore_run_id}`).expect(200)).body.run as RunView;
      if (['success', 'warning', 'failed', 'cancelled'].includes(run.status)) return run;
      if (Date.now() > until) throw new Error(`restore still ${run.status}; agent output:\n${agent.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('Can back up a dynamic and a fixed VHDX at four points, the guest data changing between them', async () => {
    const [dynamic, fixed] = vm.disks;
    assert.deepEqual([dynamic!.kind, fixed!.kind], ['dynamic', 'fixed']);
    assert.notEqual(dynamic!.virtualSize % VHDX_BLOCK, 0, 'the dynamic disk ends inside a block');
    for (const [p, point] of vm.points.entries()) {
      for (const disk of vm.disks) {
        const copy = point.copies[disk.name]!;
        const check = await checkVhdx(copy);
        assert.ok(check.ok, `${disk.name} at point ${p}: ${check.output}`);
        if (p > 0) assert.equal(await sameGuestContent(copy, vm.points[p - 1]!.copies[disk.name]!), false, `${disk.name} changed before point ${p}`);
      }
      // Blocks never written are not in a dynamic container at all: it stays smaller than the disk it holds.
      assert.ok(point.containerSizes[dynamic!.name]! < dynamic!.virtualSize, `point ${p}: container ${point.containerSizes[dynamic!.name]} bytes`);
      assert.ok(point.containerSizes[fixed!.name]! > fixed!.virtualSize);
    }
  });

  it('Can restore every point to VHDX files that qemu-img checks clean and finds identical to the source at that point', async () => {
    const dynamic = vm.disks.find((d) => d.kind === 'dynamic')!;
    for (const [p, pointId] of world.pointIds.entries()) {
      const started = Date.now();
      const run = await restore(pointId, `C:\\Restored\\p${p}`);
      assert.equal(run.status, 'success', `point ${p}: ${run.error_summary}`);
      process.stderr.write(`      [vhdx] point ${p} restored in ${Date.now() - started} ms\n`);
      for (const disk of vm.disks) {
        const restored = join(world.driveC, 'Restored', `p${p}`, disk.name);
        const source = vm.points[p]!.copies[disk.name]!;
        const check = await checkVhdx(restored);
        assert.ok(check.ok, `${disk.name} at point ${p}: ${check.output}`);
        assert.equal((await stat(restored)).size, vm.points[p]!.containerSizes[disk.name]);
        assert.ok(await sameGuestContent(restored, source), `${disk.name} at point ${p} differs from its source`);
        if (p > 0) assert.equal(await sameGuestContent(restored, vm.points[p - 1]!.copies[disk.name]!), false);
      }
      // Sparse where the container holds zeros: allocated no more than the source's non-zero 4 KiB blocks (plus
      // file-system metadata), and clearly below the container's logical size.
      const restored = join(world.driveC, 'Restored', `p${p}`, dynamic.name);
      const size = vm.points[p]!.containerSizes[dynamic.name]!;
      const needed = await nonZeroBlockBytes(vm.points[p]!.copies[dynamic.name]!);
      const allocated = await allocatedBytes(restored);
      process.stderr.write(`      [vhdx] point ${p} ${dynamic.name}: ${allocated} bytes allocated, ${needed} non-zero, ${size} logical\n`);
      assert.ok(allocated <= needed + 256 * 1024, `allocated ${allocated} bytes, the source's data is ${needed} bytes`);
      assert.ok(allocated < size / 2, `allocated ${allocated} of ${size} bytes`);
    }
  });
});
