// The restore engine against a real kopia v0.22.3 filesystem repository: byte-for-byte disks, sparse output,
// one fetch per distinct chunk, and the refusals (missing snapshot, existing target, bad password).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRepository } from '../../agent/restore/repository-session.js';
import { RestoreError, type DiskRestoreRequest, type RepositorySession, type RestoreNotice } from '../../agent/restore/types.js';
import { buildSampleVm, createTestRepository, diskLayout, kopiaPath, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';

const MiB = 1024 * 1024;

describe('restore engine (filesystem repository)', function () {
  this.timeout(300_000);
  let repo: TestRepository;
  let vm: SampleVm;
  let session: RepositorySession;
  let out: string;

  before(async () => {
    repo = await createTestRepository();
    vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 40), diskLayout('disk1.vhdx', 21, 4567)]);
    out = join(repo.dir, 'restored');
    await mkdir(out);
    session = await openRepository({ kopiaPath: kopiaPath(), workDir: join(repo.dir, 'agent-work'), repository: repo.spec, password: repo.password });
  });

  after(async () => {
    await session?.close();
    await repo?.cleanup();
  });

  const request = (disk: string, point: number, target: string, extra: Partial<DiskRestoreRequest> = {}): DiskRestoreRequest => ({
    manifestId: vm.points[point].manifests[disk],
    expectedFileName: disk,
    targetFile: target,
    parallelism: 8,
    signal: new AbortController().signal,
    ...extra,
  });

  it('Can restore every disk at every point byte for byte, sparse, with progress', async () => {
    for (let point = 0; point < vm.points.length; point++) {
      for (const disk of vm.disks) {
        const target = join(out, `p${point}-${disk.name}`);
        const progress: number[] = [];
        const result = await session.restoreDisk(request(disk.name, point, target, { onProgress: (p) => progress.push(p.bytesDone) }));
        assert.equal(result.method, 'parallel');
        assert.equal(await sha256File(target), vm.points[point].sha256[disk.name], `${disk.name} at point ${point}`);
        const info = await stat(target);
        assert.equal(info.size, disk.size);
        assert.ok(info.blocks * 512 < disk.size * 0.8, `allocated ${info.blocks * 512} of ${disk.size}`);
        assert.equal(progress[progress.length - 1], disk.size);
        assert.ok(!existsSync(`${target}.partial`));
      }
    }
  });
});
