// The Windows rules of the restore engine, on Linux: the real engine and a real kopia repository, with the win32
// platform injected and its commands answered by a model of an NTFS/ReFS volume (attributes a new file inherits from
// its folder, what compact /U and Set-FileIntegrity change). The commands it would run on Windows are recorded, with
// the size of the file at that moment, so "on the still-empty .partial" is checked too.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createPosixPlatform } from '../../agent/platform/posix.js';
import { ATTRIBUTE, createWin32Platform, type RunCommand } from '../../agent/platform/win32.js';
import { openRepository } from '../../agent/engine/repository-session.js';
import { RestoreError, type DiskRestoreRequest, type RepositorySession, type RestoreNotice } from '../../agent/engine/types.js';
import { buildSampleVm, createTestRepository, diskLayout, kopiaPath, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';
import { allocatedBytes } from '../helpers/sparse-bytes.js';

const ARCHIVE = 0x20;
const INHERITED = ATTRIBUTE.COMPRESSED | ATTRIBUTE.ENCRYPTED | ATTRIBUTE.INTEGRITY_STREAM;

/** A Windows volume as far as the agent's commands can see it. */
class FakeVolume {
  readonly folders = new Map<string, number>();
  readonly files = new Map<string, number>();
  fileSystem = 'NTFS';
  compactClears = true;
  powershellStarts = true;
  /** purpose, file name, file size when the command ran */
  readonly commands: Array<[string, string, number | null]> = [];

  attributesOf(path: string): number {
    const folder = this.folders.get(path);
    if (folder !== undefined) return folder;
    // A new file inherits its folder's compression, encryption and integrity streams (NTFS/ReFS rules).
    if (!this.files.has(path)) this.files.set(path, ARCHIVE | ((this.folders.get(dirname(path)) ?? 0) & INHERITED));
    return this.files.get(path)!;
  }

  readonly run: RunCommand = async (file, args, env) => {
    const path = env.HVR_PATH!;
    const script = args.at(-1) ?? '';
    if (file.toLowerCase().endsWith('compact.exe')) {
      if (this.compactClears) this.files.set(path, this.attributesOf(path) & ~ATTRIBUTE.COMPRESSED);
      return { started: true, exitCode: 0, stdout: ' 1 files within 1 directories were uncompressed.\r\n', stderr: '' };
    }
    if (!this.powershellStarts) return { started: false, exitCode: null, stdout: '', stderr: '' };
    if (script.includes('Set-FileIntegrity')) {
      this.files.set(path, this.attributesOf(path) & ~ATTRIBUTE.INTEGRITY_STREAM);
      return { started: true, exitCode: 0, stdout: '', stderr: '' };
    }
    assert.match(script, /Get-Item -LiteralPath \$env:HVR_PATH/);
    return { started: true, exitCode: 0, stdout: `hvr-attributes ${this.attributesOf(path)} ${this.fileSystem}\r\n`, stderr: '' };
  };

  platform(sleeps: number[] = []) {
    return createWin32Platform({
      run: this.run,
      sleep: async (ms) => { sleeps.push(ms); },
      onCommand: (_file, purpose, path) => this.commands.push([purpose, basename(path), statSync(path, { throwIfNoEntry: false })?.isFile() ? statSync(path).size : null]),
    });
  }
}

describe('Agent platform (win32 rules, injected, real engine)', function () {
  this.timeout(300_000);
  let repo: TestRepository;
  let vm: SampleVm;
  let out: string;
  let count = 0;
  const sessions: RepositorySession[] = [];

  before(async () => {
    repo = await createTestRepository();
    vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 12)], 1);
    out = join(repo.dir, 'restored');
  });

  after(async () => {
    for (const session of sessions) await session.close();
    await repo?.cleanup();
  });

  /** A fresh folder, a session with `volume`'s platform, and a request for the disk into that folder. */
  async function setUp(volume: FakeVolume, folderAttributes = 0) {
    const folder = join(out, `t${++count}`);
    await mkdir(folder, { recursive: true });
    volume.folders.set(folder, 0x10 | folderAttributes);
    const session = await openRepository({ kopiaPath: kopiaPath(), workDir: join(repo.dir, `work-${count}`), repository: repo.spec, password: repo.password, platform: volume.platform() });
    sessions.push(session);
    const notices: RestoreNotice[] = [];
    const target = join(folder, 'disk0.vhdx');
    const request = (extra: Partial<DiskRestoreRequest> = {}): DiskRestoreRequest => ({
      manifestId: vm.points[0].manifests['disk0.vhdx'], expectedFileName: 'disk0.vhdx', targetFile: target, parallelism: 4,
      signal: new AbortController().signal, onNotice: (n) => notices.push(n), ...extra,
    });
    return { folder, session, target, request, notices };
  }

  const size = () => vm.disks[0].size;

  it('Can restore into a plain NTFS folder byte for byte, every byte written, never a sparse flag', async () => {
    const volume = new FakeVolume();
    const { folder, session, target, request, notices } = await setUp(volume);
    const result = await session.restoreDisk(request());
    assert.equal(await sha256File(target), vm.points[0].sha256['disk0.vhdx']);
    assert.equal(result.bytesWritten, size(), 'zero chunks are written too');
    assert.ok(result.chunksSkippedZero > 0, 'known zero chunks were not fetched');
    assert.ok(await allocatedBytes(target) >= size() - 4096, 'no holes');
    assert.deepEqual(volume.commands, [
      ['read attributes', basename(folder), null],
      ['read attributes', 'disk0.vhdx.partial', 0],
      ['read attributes', 'disk0.vhdx.partial', size()],
    ]);
    assert.deepEqual(notices, []);
  });

  it('Can clear the compression a compressed folder gives the new .partial while it is empty, then restore', async () => {
    const volume = new FakeVolume();
    const { session, target, request } = await setUp(volume, ATTRIBUTE.COMPRESSED);
    await session.restoreDisk(request());
    assert.equal(await sha256File(target), vm.points[0].sha256['disk0.vhdx']);
    assert.deepEqual(volume.commands.slice(1).map(([purpose, , at]) => [purpose, at]), [
      ['clear compression', 0], ['read attributes', 0], ['read attributes', size()],
    ]);
    assert.equal(volume.files.get(`${target}.partial`)! & ATTRIBUTE.COMPRESSED, 0);
  });

  it('Can switch ReFS integrity streams off on the empty .partial', async () => {
    const volume = new FakeVolume();
    volume.fileSystem = 'ReFS';
    const { session, target, request } = await setUp(volume, ATTRIBUTE.INTEGRITY_STREAM);
    await session.restoreDisk(request());
    assert.equal(await sha256File(target), vm.points[0].sha256['disk0.vhdx']);
    assert.deepEqual(volume.commands.slice(1, 2), [['integrity streams off', 'disk0.vhdx.partial', 0]]);
  });

  it('Rejects an EFS-encrypted target folder before the repository is even read (TARGET_ENCRYPTED)', async () => {
    const volume = new FakeVolume();
    const { folder, session, target, request } = await setUp(volume, ATTRIBUTE.ENCRYPTED);
    // A snapshot id that does not exist: refused for the folder, so nothing was asked of the repository.
    await assert.rejects(session.restoreDisk(request({ manifestId: 'f00d'.repeat(8) })), (e: unknown) => e instanceof RestoreError && e.code === 'TARGET_ENCRYPTED'
      && e.message.startsWith(`The target folder ${folder} is EFS-encrypted`));
    assert.deepEqual(volume.commands, [['read attributes', basename(folder), null]]);
    assert.ok(!existsSync(`${target}.partial`) && !existsSync(target));
  });

  it('Rejects a disk whose inherited compression does not clear (TARGET_COMPRESSED) and leaves no .partial', async () => {
    const volume = new FakeVolume();
    volume.compactClears = false;
    const { session, target, request } = await setUp(volume, ATTRIBUTE.COMPRESSED);
    await assert.rejects(session.restoreDisk(request()), (e: unknown) => e instanceof RestoreError && e.code === 'TARGET_COMPRESSED');
    assert.ok(!existsSync(`${target}.partial`) && !existsSync(target));
  });

  it('Rejects a disk that turned sparse before the move: never moved into place, .partial removed (TARGET_SPARSE)', async () => {
    const volume = new FakeVolume();
    const { session, target, request } = await setUp(volume);
    const partial = `${target}.partial`;
    await assert.rejects(session.restoreDisk(request({ beforeCommit: async () => { volume.files.set(partial, ARCHIVE | ATTRIBUTE.SPARSE); } })),
      (e: unknown) => e instanceof RestoreError && e.code === 'TARGET_SPARSE' && /Hyper-V does not attach sparse disk files/.test(e.message));
    assert.ok(!existsSync(partial) && !existsSync(target));
  });

  it('Can restore when the attributes cannot be read, and says so in an ATTRIBUTES_UNCHECKED notice', async () => {
    const volume = new FakeVolume();
    volume.powershellStarts = false;
    const { session, target, request, notices } = await setUp(volume);
    await session.restoreDisk(request());
    assert.equal(await sha256File(target), vm.points[0].sha256['disk0.vhdx']);
    assert.deepEqual(notices.map((n) => n.code), ['ATTRIBUTES_UNCHECKED']);
    assert.match(notices[0]!.message, /PowerShell could not be started/);
    assert.deepEqual(volume.commands.map(([purpose]) => purpose), ['read attributes']);
  });

  it('Can use kopia\'s own restore as the fallback without --write-sparse-files and check the result the same way', async () => {
    const volume = new FakeVolume();
    const { target, request } = await setUp(volume);
    const session = await openRepository({ kopiaPath: kopiaPath(), workDir: join(repo.dir, 'fallback-work'), repository: repo.spec, password: repo.password,
      platform: volume.platform(), forceKopiaRestore: true });
    sessions.push(session);
    const result = await session.restoreDisk(request());
    assert.equal(result.method, 'kopia-restore');
    assert.equal(await sha256File(target), vm.points[0].sha256['disk0.vhdx']);
    assert.equal(volume.commands.at(-1)![0], 'read attributes');
    assert.deepEqual(createWin32Platform().kopiaRestoreFlags, []);
  });
});

describe('Agent platform (the rules that differ)', function () {
  it('Can ask for the full disk size on Windows and only the non-zero part on Linux', () => {
    assert.equal(createWin32Platform().spaceNeeded(100, 40), 100);
    assert.equal(createPosixPlatform().spaceNeeded(100, 40), 60);
    assert.equal(createPosixPlatform({ writeOrder: 'ascending' }).spaceNeeded(100, 40), 100);
  });

  it('Can stop on Ctrl+C, Ctrl+Break and a closed console on Windows, and on SIGTERM, SIGINT and SIGHUP elsewhere', () => {
    assert.deepEqual([...createWin32Platform().stopSignals].sort(), ['SIGBREAK', 'SIGHUP', 'SIGINT', 'SIGTERM']);
    assert.deepEqual([...createPosixPlatform().stopSignals].sort(), ['SIGHUP', 'SIGINT', 'SIGTERM']);
  });

  const locked = (code: string) => Object.assign(new Error(`${code}: operation not permitted`), { code });

  it('Can retry a link, rename or unlink on Windows while another program holds the file', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const value = await new FakeVolume().platform(sleeps).retryWhileLocked('move x into place', async () => {
      if (++calls < 3) throw locked(calls === 1 ? 'EBUSY' : 'EPERM');
      return 'moved';
    });
    assert.deepEqual([value, calls, sleeps], ['moved', 3, [100, 200]]);
  });

  it('Rejects a file that stays locked with TARGET_LOCKED after about 3 s of retries, and other errors at once', async () => {
    const sleeps: number[] = [];
    const platform = new FakeVolume().platform(sleeps);
    await assert.rejects(platform.retryWhileLocked('delete C:\\R\\d.vhdx.partial', async () => { throw locked('EACCES'); }), (e: unknown) => e instanceof RestoreError
      && e.code === 'TARGET_LOCKED' && e.message.startsWith('Cannot delete C:\\R\\d.vhdx.partial: another program keeps the file open (EACCES)'));
    assert.deepEqual(sleeps, [100, 200, 400, 800, 1500]);
    sleeps.length = 0;
    await assert.rejects(platform.retryWhileLocked('x', async () => { throw locked('ENOENT'); }), /ENOENT/);
    assert.deepEqual(sleeps, []);
    // On Linux EPERM from link() means "no hard links here": no waiting.
    await assert.rejects(createPosixPlatform().retryWhileLocked('x', async () => { throw locked('EPERM'); }), /EPERM/);
  });
});
