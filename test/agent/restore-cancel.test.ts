// Cancel and fallback with real kopia: a cancelled disk leaves no kopia process, no .partial and no final file
// within 2 s; kopia's own restore (the fallback) also gives the exact bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRepository } from '../../agent/engine/repository-session.js';
import type { RestoreError, RestoreNotice } from '../../agent/engine/types.js';
import { buildSampleVm, createTestRepository, diskLayout, kopiaPath, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';

/** Command lines of running processes that mention `needle` (pgrep -f). */
function processesMentioning(needle: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', needle], { encoding: 'utf8' }).trim().split('\n').filter((l) => !l.includes('pgrep'));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('restore engine cancel and fallback', function () {
  this.timeout(300_000);
  let repo: TestRepository;
  let vm: SampleVm;
  let out: string;

  before(async () => {
    repo = await createTestRepository();
    vm = await buildSampleVm(repo, [diskLayout('big.vhdx', 96, 999)], 2);
    out = join(repo.dir, 'restored');
    await mkdir(out);
  });

  after(async () => {
    await repo?.cleanup();
  });

  for (const forceKopiaRestore of [false, true]) {
    const how = forceKopiaRestore ? 'kopia snapshot restore' : 'the parallel path';
    it(`Can cancel a disk mid-restore through ${how}: CANCELLED within 2 s, nothing left behind`, async () => {
      const workDir = join(repo.dir, `cancel-work-${forceKopiaRestore}`);
      const controller = new AbortController();
      const session = await openRepository({ kopiaPath: kopiaPath(), workDir, repository: repo.spec, password: repo.password,
        signal: controller.signal, forceKopiaRestore });
      const target = join(out, `cancelled-${forceKopiaRestore}.vhdx`);
      const running = session.restoreDisk({ manifestId: vm.points[1].manifests['big.vhdx'], expectedFileName: 'big.vhdx', targetFile: target,
        parallelism: 2, signal: controller.signal });
      const settled = running.then(() => null, (e: RestoreError) => e);
      await waitFor(() => existsSync(`${target}.partial`), 30_000);
      await new Promise((r) => setTimeout(r, 150));
      assert.ok(processesMentioning(workDir).length > 0, 'kopia is running for this session');
      const abortedAt = Date.now();
      controller.abort();
      const error = await settled;
      await session.close();
      const elapsed = Date.now() - abortedAt;
      assert.equal(error?.code, 'CANCELLED');
      assert.ok(elapsed < 2000, `took ${elapsed} ms`);
      assert.ok(!existsSync(`${target}.partial`), '.partial removed');
      assert.ok(!existsSync(target), 'no final file');
      assert.deepEqual(processesMentioning(workDir), []);
    });
  }

  it('Can fall back to kopia snapshot restore when the kopia server cannot start, and says so', async () => {
    // The real kopia behind a wrapper that refuses `server start` only.
    const wrapper = join(repo.dir, 'kopia-without-server.sh');
    await writeFile(wrapper, `#!/bin/sh\nif [ "$1" = server ]; then echo "server disabled for this test" >&2; exit 1; fi\nexec "${kopiaPath()}" "$@"\n`);
    await chmod(wrapper, 0o755);
    const session = await openRepository({ kopiaPath: wrapper, workDir: join(repo.dir, 'no-server-work'), repository: repo.spec, password: repo.password });
    try {
      const notices: RestoreNotice[] = [];
      const target = join(out, 'no-server.vhdx');
      const result = await session.restoreDisk({ manifestId: vm.points[1].manifests['big.vhdx'], expectedFileName: 'big.vhdx', targetFile: target,
        parallelism: 4, signal: new AbortController().signal, onNotice: (n) => notices.push(n) });
      assert.equal(result.method, 'kopia-restore');
      assert.equal(await sha256File(target), vm.points[1].sha256['big.vhdx']);
      assert.equal(notices.length, 1);
      assert.equal(notices[0].code, 'PARALLEL_UNAVAILABLE');
      assert.match(notices[0].message, /^Parallel restore unavailable \(kopia server exited: server disabled for this test\); using kopia snapshot restore instead\.$/);
    } finally {
      await session.close();
    }
  });

  it('Can restore byte for byte through kopia snapshot restore when told to, and says so', async () => {
    const session = await openRepository({ kopiaPath: kopiaPath(), workDir: join(repo.dir, 'fallback-work'), repository: repo.spec,
      password: repo.password, forceKopiaRestore: true });
    try {
      const notices: RestoreNotice[] = [];
      const progress: number[] = [];
      const times: number[] = [];
      const target = join(out, 'fallback.vhdx');
      const result = await session.restoreDisk({ manifestId: vm.points[0].manifests['big.vhdx'], expectedFileName: 'big.vhdx', targetFile: target,
        parallelism: 4, signal: new AbortController().signal, onNotice: (n) => notices.push(n),
        onProgress: (p) => { progress.push(p.bytesDone); times.push(Date.now()); } });
      const longestGap = Math.max(...times.slice(1).map((t, i) => t - times[i]));
      assert.ok(longestGap < 1000, `progress every ~500 ms, longest gap ${longestGap} ms`);
      assert.equal(result.method, 'kopia-restore');
      assert.equal(await sha256File(target), vm.points[0].sha256['big.vhdx']);
      assert.deepEqual(notices.map((n) => n.code), ['PARALLEL_UNAVAILABLE']);
      assert.equal(progress[progress.length - 1], vm.disks[0].size);
      assert.ok(!existsSync(`${target}.partial`));
    } finally {
      await session.close();
    }
  });
});
