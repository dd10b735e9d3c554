// The restore engine against a real kopia v0.22.3 filesystem repository: byte-for-byte disks, sparse output,
// one fetch per distinct chunk, and the refusals (missing snapshot, existing target, bad password).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRepository } from '../../agent/engine/repository-session.js';
import { RestoreError, type DiskRestoreRequest, type RepositorySession } from '../../agent/engine/types.js';
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

  it('Can fetch each non-zero chunk at most once and never fetch a zero chunk twice', async () => {
    const disk = vm.disks[0];
    const file = join(repo.dir, 'disks', disk.name); // the disk as it is at the last point
    const manifestId = vm.points[2].manifests[disk.name];
    const entries = await indexEntries(repo, manifestId);
    assert.ok(entries.length > 4, `expected an indirect object with several chunks, got ${entries.length}`);
    const data = await readFile(file);
    const zeroIds = new Set(entries.filter((e) => isZero(data.subarray(e.s ?? 0, (e.s ?? 0) + e.l))).map((e) => e.o));
    const nonZero = entries.filter((e) => !zeroIds.has(e.o)).length;
    assert.ok(zeroIds.size > 0 && entries.length - nonZero >= 2, 'the fixture has repeated all-zero chunks');
    const target = join(out, 'counted.vhdx');
    const result = await session.restoreDisk(request(disk.name, 2, target));
    assert.equal(await sha256File(target), vm.points[2].sha256[disk.name]);
    assert.ok(result.chunksFetched <= nonZero + zeroIds.size, `fetched ${result.chunksFetched}, non-zero ${nonZero}, zero ids ${zeroIds.size}`);
    assert.equal(result.chunksSkippedZero, entries.length - nonZero);
    assert.ok(result.bytesWritten < disk.size * 0.8);
  });

  it('Can restore a snapshot whose root is a folder holding the one disk file', async () => {
    const folder = join(repo.dir, 'folder-root');
    await mkdir(folder);
    await writeFile(join(folder, 'disk9.vhdx'), Buffer.concat([Buffer.alloc(3 * MiB), Buffer.from('tail data')]));
    const id = await repo.snapshotFile(folder, 'C:\\VMs\\folder');
    const target = join(out, 'disk9.vhdx');
    await session.restoreDisk({ ...request('disk0.vhdx', 0, target), manifestId: id, expectedFileName: 'disk9.vhdx' });
    assert.deepEqual(await readFile(target), await readFile(join(folder, 'disk9.vhdx')));
  });

  it('Rejects a snapshot whose file has another name (SNAPSHOT_NOT_A_DISK)', async () => {
    const target = join(out, 'wrong-name.vhdx');
    await assert.rejects(session.restoreDisk({ ...request('disk0.vhdx', 0, target), expectedFileName: 'other.vhdx' }),
      (e: RestoreError) => e.code === 'SNAPSHOT_NOT_A_DISK' && /holds "disk0.vhdx", expected "other.vhdx"/.test(e.message));
    assert.ok(!existsSync(target) && !existsSync(`${target}.partial`));
  });

  it('Rejects a missing snapshot (SNAPSHOT_NOT_FOUND) and leaves no .partial', async () => {
    const target = join(out, 'missing.vhdx');
    await assert.rejects(session.restoreDisk({ ...request('disk0.vhdx', 0, target), manifestId: '0123456789abcdef0123456789abcdef' }),
      (e: RestoreError) => e.code === 'SNAPSHOT_NOT_FOUND' && e.message === 'Snapshot 0123456789abcdef0123456789abcdef was not found in the repository');
    assert.ok(!existsSync(target) && !existsSync(`${target}.partial`));
  });

  it('Rejects an existing target (TARGET_EXISTS) and leaves the file untouched', async () => {
    const target = join(out, 'existing.vhdx');
    await writeFile(target, 'keep me');
    await assert.rejects(session.restoreDisk(request('disk1.vhdx', 1, target)),
      (e: RestoreError) => e.code === 'TARGET_EXISTS' && e.message === `${target} already exists and is never overwritten`);
    assert.equal(await readFile(target, 'utf8'), 'keep me');
    assert.ok(!existsSync(`${target}.partial`));
  });

  it('Rejects a disk larger than the free space (INSUFFICIENT_SPACE) before writing anything', async () => {
    // A real small volume: an 8 MiB tmpfs (the test machines run as root, as CI does).
    const small = join(repo.dir, 'small-volume');
    await mkdir(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', small]);
    try {
      const target = join(small, 'disk1.vhdx');
      await assert.rejects(session.restoreDisk(request('disk1.vhdx', 0, target)),
        (e: RestoreError) => e.code === 'INSUFFICIENT_SPACE' && e.message.startsWith(`Not enough free space in ${small}: `));
      assert.deepEqual(await readdir(small), []);
    } finally {
      execFileSync('umount', [small]);
    }
  });

  it('Rejects a target folder that does not exist (TARGET_UNAVAILABLE)', async () => {
    const target = join(out, 'no-such-folder', 'disk0.vhdx');
    await assert.rejects(session.restoreDisk(request('disk0.vhdx', 0, target)),
      (e: RestoreError) => e.code === 'TARGET_UNAVAILABLE' && e.message === `Target folder ${join(out, 'no-such-folder')} does not exist or cannot be read`);
  });

  it('Can open the repository once (no separate connect) and look up each disk once, whatever the run asks', async () => {
    // The real kopia behind a wrapper that writes down each command it is given.
    const calls = join(repo.dir, 'kopia-calls.log');
    const wrapper = join(repo.dir, 'kopia-logged.sh');
    await writeFile(wrapper, `#!/bin/sh\necho "$1 $2" >> "${calls}"\nexec "${kopiaPath()}" "$@"\n`, { mode: 0o755 });
    const disks = vm.disks.map((d) => ({ manifestId: vm.points[1].manifests[d.name], expectedFileName: d.name }));
    const logged = await openRepository({ kopiaPath: wrapper, workDir: join(repo.dir, 'logged-work'), repository: repo.spec, password: repo.password, disks });
    try {
      for (const disk of vm.disks) assert.equal(await logged.diskSize(vm.points[1].manifests[disk.name], disk.name, new AbortController().signal), disk.size);
      const target = join(out, 'logged-disk0.vhdx');
      await logged.restoreDisk(request('disk0.vhdx', 1, target));
      assert.equal(await sha256File(target), vm.points[1].sha256['disk0.vhdx']);
    } finally {
      await logged.close();
    }
    const commands = (await readFile(calls, 'utf8')).trim().split('\n');
    assert.deepEqual(commands.filter((c) => c !== 'manifest show').sort(), ['server start'], commands.join(', '));
    assert.equal(commands.filter((c) => c === 'manifest show').length, vm.disks.length);
  });

  it('Rejects a wrong repository password with a clear error', async () => {
    await assert.rejects(openRepository({ kopiaPath: kopiaPath(), workDir: join(repo.dir, 'bad-work'), repository: repo.spec, password: 'wrong' }),
      (e: RestoreError) => e.code === 'REPOSITORY_UNAVAILABLE' && e.message === 'Cannot open the backup repository: the repository password is wrong');
  });
});

interface IndexEntry { s?: number; l: number; o: string }

async function indexEntries(repo: TestRepository, manifestId: string): Promise<IndexEntry[]> {
  const snapshots = JSON.parse(await repo.kopia(['snapshot', 'list', '--json'])) as Array<{ id: string; rootEntry: { obj: string } }>;
  const root = snapshots.find((s) => s.id === manifestId)?.rootEntry.obj ?? '';
  assert.ok(root.startsWith('I') && !root.startsWith('II'));
  return (JSON.parse(await repo.kopia(['show', root.slice(1)])) as { entries: IndexEntry[] }).entries;
}

const isZero = (data: Buffer) => data.every((b) => b === 0);
