// The restore engine against a real S3 server (versitygw) holding a kopia repository: every disk at every point
// restored byte for byte through the parallel path, and the keys never on a kopia command line.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openRepository } from '../../agent/engine/repository-session.js';
import type { RepositorySession, RestoreError } from '../../agent/engine/types.js';
import { buildSampleVm, createTestRepository, diskLayout, kopiaPath, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';
import { startVersityGw, type VersityGw, s3RepositoryOn } from '../helpers/versitygw.js';

describe('restore engine (S3 repository on versitygw)', function () {
  this.timeout(300_000);
  let gw: VersityGw;
  let repo: TestRepository;
  let vm: SampleVm;
  let session: RepositorySession;
  let out: string;

  before(async () => {
    gw = await startVersityGw();
    await gw.createBucket('backups');
    repo = await createTestRepository(s3RepositoryOn(gw, 'backups', 'job-7/'));
    vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 24), diskLayout('disk1.vhdx', 13, 77)]);
    out = join(repo.dir, 'restored');
    await mkdir(out);
    session = await openRepository({ kopiaPath: kopiaPath(), workDir: join(repo.dir, 'agent-work'), repository: repo.spec, password: repo.password });
  });

  after(async () => {
    await session?.close();
    await repo?.cleanup();
    await gw?.stop();
  });

  it('Can restore every disk at every point byte for byte and sparse', async () => {
    for (let point = 0; point < vm.points.length; point++) {
      for (const disk of vm.disks) {
        const target = join(out, `p${point}-${disk.name}`);
        const result = await session.restoreDisk({ manifestId: vm.points[point].manifests[disk.name], expectedFileName: disk.name,
          targetFile: target, parallelism: 8, signal: new AbortController().signal });
        assert.equal(result.method, 'parallel');
        assert.equal(await sha256File(target), vm.points[point].sha256[disk.name], `${disk.name} at point ${point}`);
        const info = await stat(target);
        assert.ok(info.blocks * 512 < disk.size * 0.8, `allocated ${info.blocks * 512} of ${disk.size}`);
      }
    }
  });

  it('Cannot be seen with the S3 secret on any kopia command line', async () => {
    // versitygw's own command line carries the secret (test server); only kopia's lines matter.
    const lines = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(kopiaPath())).join('\n');
    assert.ok(lines.includes(join(repo.dir, 'agent-work')), 'the session kopia server is running');
    assert.ok(!lines.includes(gw.secretAccessKey));
    assert.ok(!lines.includes(repo.password));
  });

  it('Rejects wrong S3 keys with a clear error', async () => {
    const spec = { ...repo.spec, secretAccessKey: 'not-the-secret' } as typeof repo.spec;
    await assert.rejects(openRepository({ kopiaPath: kopiaPath(), workDir: join(repo.dir, 'bad-keys'), repository: spec, password: repo.password }),
      (e: RestoreError) => e.code === 'REPOSITORY_UNAVAILABLE' && e.message.startsWith('Cannot open the backup repository: '));
  });
});
