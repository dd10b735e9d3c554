// The agent as it runs on a Hyper-V host, with real Windows binaries under Debian's Wine: the release package's
// hyperv-restore-agent.exe (the agent inside the Windows build of Node.js, packaging/) runs, the package's kopia.exe
// (the pinned kopia built with GOOS=windows) serves the restore, the same kopia.exe backs up two points of real VHDX
// disks by their Windows paths, and the Linux sidecar hands out the commands on loopback. Restores land in
// C:\Restores\... of the Wine prefix.
// Wine does not emulate NTFS attributes (sparse, compressed, encrypted), the valid-data length or Defender, and its
// PowerShell is a stub that prints nothing: the attribute rules are covered by test/agent/platform-win32.test.ts with
// the platform injected. What this test shows is that the Windows code path is the one taken, end to end.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildVhdxVm, type VhdxVm } from '../../sidecar/demo/vhdx-vm.js';
import { clientGet, clientPost } from '../helpers/http.js';
import { seededBytes, sha256File } from '../helpers/kopia.js';
import { projectPath } from '../helpers/paths.js';
import { createRestoreWorld, insertRealPoint, type RestoreWorld } from '../helpers/restore-world.js';
import { allocatedBytes } from '../helpers/sparse-bytes.js';
import { createWindowsBackupRepository, type WindowsBackupRepository } from '../helpers/windows-backup.js';
import { packagedKopia, startPackagedAgent } from '../helpers/agent-package.js';
import { processesMatching, windowsPath, windowsTools, type WindowsProcess } from '../helpers/wine.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

interface RunView {
  status: string;
  error_summary: string | null;
  disks: Array<{ name: string; status: string; bytes_done: number; message?: string | null }>;
}
interface EventView { message_id: string; message: string }

describe('Windows agent (the packaged hyperv-restore-agent.exe and kopia.exe under Wine)', function () {
  this.timeout(900_000);
  const id = randomBytes(4).toString('hex');
  let dir: string;
  let testRoot: string; // C:\hvr-test-<id>: this test's disks, kopia files and agent work folder
  let restores: string; // C:\Restores\hvr-<id>
  let repo: WindowsBackupRepository;
  let vm: VhdxVm;
  let bigPointId: number;
  let world: RestoreWorld;
  let agent: WindowsProcess;
  const agentKopia = () => processesMatching('kopia.exe', `hvr-test-${id}\\agent-work`);

  before(async () => {
    const tools = windowsTools();
    dir = await mkdtemp(join(tmpdir(), 'hvr-win-'));
    testRoot = join(tools.driveC, `hvr-test-${id}`);
    restores = join(tools.driveC, 'Restores', `hvr-${id}`);
    const vms = join(testRoot, 'VMs');
    repo = await createWindowsBackupRepository(join(dir, 'repo'), join(testRoot, 'backup'));
    vm = await buildVhdxVm(repo, { workDir: vms, pointCount: 2, copiesDir: join(dir, 'points'), hostPath: (name) => windowsPath(join(vms, name)) });
    // A disk of random data (many distinct chunks), so a cancel can come while it is half written.
    const raw = join(dir, 'big.raw');
    await writeFile(raw, seededBytes('windows-big', 32 * MiB));
    const big = join(vms, 'big.vhdx');
    await run('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vhdx', raw, big]);
    const bigManifest = await repo.snapshotFile(big, windowsPath(big));
    world = await createRestoreWorld(repo, vm, 'mariadb', dir, {
      parallelism: 2,
      agentConfig: { kopia_path: windowsPath(await packagedKopia()), work_dir: windowsPath(join(testRoot, 'agent-work')), path_map: {}, poll_interval_seconds: 0.5 },
    });
    const db = world.test.db;
    const jobId = (await db('s3_hyperv_vms').where({ id: world.vmId }).first('job_id')).job_id as number;
    const bigVmId = Number((await db('s3_hyperv_vms').insert({ job_id: jobId, vm_name: 'big01', vm_guid: 'big-guid' }))[0]);
    bigPointId = await insertRealPoint(db, bigVmId, jobId, 'Full', null, { [windowsPath(big)]: bigManifest }, 30);
    // +process: Wine writes every process the agent starts into its stderr file.
    agent = await startPackagedAgent(['--config', windowsPath(world.configFile)], {
      outputDir: dir, name: 'agent', env: { WINEDEBUG: '-all,+process' },
    });
  });

  after(async () => {
    if (process.env.E2E_DUMP) process.stderr.write(agent?.stdout() ?? '');
    if (agent) await agent.kill();
    await world?.close();
    await repo?.cleanup();
    for (const folder of [testRoot, restores, dir]) if (folder) await rm(folder, { recursive: true, force: true });
  });

  const logLines = () => agent.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

  async function startRestore(pointId: number, target: string): Promise<number> {
    const res = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: pointId, target_path: target });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return Number(res.body.restore_run_id);
  }
  const runOf = async (runId: number) => (await clientGet(world.test.app, world.clientId, `/api/runs/${runId}`).expect(200)).body.run as RunView;
  const finished = (r: RunView) => ['success', 'warning', 'failed', 'cancelled'].includes(r.status);
  async function waitFor(runId: number, done: (r: RunView) => boolean, timeoutMs = 300_000): Promise<RunView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const view = await runOf(runId);
      if (done(view)) return view;
      if (Date.now() > until) throw new Error(`run ${runId} still ${view.status}; agent output:\n${agent.stdout().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const eventsOf = async (runId: number) => (await clientGet(world.test.app, world.clientId, `/api/runs/${runId}/events?after=0`).expect(200)).body.events as EventView[];

  it('Can start the agent as the Windows Node.js 20, which logs that it runs on win32', async () => {
    const until = Date.now() + 120_000;
    while (!logLines().some((l) => l.msg === 'agent started')) {
      assert.ok(Date.now() < until && agent.child.exitCode === null, `the agent did not start:\n${agent.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const started = logLines().find((l) => l.msg === 'agent started')!;
    assert.equal(started.platform, 'win32');
    const engines = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const nodeVersion = (await run('bash', [projectPath('scripts/ensure-node-win.sh'), '--print-version'])).stdout.trim();
    assert.equal(nodeVersion.split('.')[0], /\d+/.exec(engines)![0], `node.exe ${nodeVersion} has the major of engines ${engines}`);
  });

  it('Can restore both points of the VHDX disks to C:\\Restores byte for byte, every byte written (no holes)', async () => {
    for (const [p, pointId] of world.pointIds.entries()) {
      const runId = await startRestore(pointId, `C:\\Restores\\hvr-${id}\\p${p}`);
      const view = await waitFor(runId, finished);
      assert.equal(view.status, 'success', `point ${p}: ${view.error_summary}\n${agent.stdout().slice(-3000)}`);
      const folder = join(restores, `p${p}`);
      assert.deepEqual(readdirSync(folder).sort(), vm.disks.map((d) => d.name).sort());
      for (const disk of vm.disks) {
        const file = join(folder, disk.name);
        assert.equal(await sha256File(file), await sha256File(vm.points[p]!.copies[disk.name]!), `${disk.name} at point ${p}`);
        // The Windows write order writes zero chunks too (a sparse Linux restore would leave them as holes).
        const { size } = await stat(file);
        assert.ok(await allocatedBytes(file) >= size - 64 * 1024, `${disk.name}: ${await allocatedBytes(file)} of ${size} bytes allocated`);
      }
      // Wine's PowerShell answers nothing, so the agent says it could not check the attributes instead of guessing.
      const notices = (await eventsOf(runId)).filter((e) => e.message_id === 'HYPERV_RESTORE_NOTICE').map((e) => e.message);
      assert.ok(notices.some((m) => /file attributes could not be read/.test(m)), notices.join('\n'));
    }
  });

  it('Can restore without ever setting the sparse flag: Wine saw kopia.exe and PowerShell started, never fsutil', () => {
    const started = agent.stderr().split('\n').filter((l) => l.includes('CreateProcessInternalW')).map((l) => l.toLowerCase());
    assert.ok(started.some((l) => l.includes('kopia.exe')), 'Wine recorded the kopia.exe processes');
    assert.ok(started.some((l) => l.includes('powershell.exe')), 'the attribute checks ran');
    assert.deepEqual(started.filter((l) => l.includes('fsutil')), []);
    const purposes = new Set(logLines().filter((l) => l.msg === 'file attribute command').map((l) => l.purpose));
    assert.deepEqual([...purposes], ['read attributes']);
  });

  it('Cannot overwrite a restored disk: a second restore to the same folder fails and leaves the files as they were', async () => {
    const folder = join(restores, 'p0');
    const before = await Promise.all(vm.disks.map((d) => sha256File(join(folder, d.name))));
    const runId = await startRestore(world.pointIds[1]!, `C:\\Restores\\hvr-${id}\\p0`);
    const view = await waitFor(runId, finished);
    assert.equal(view.status, 'failed');
    assert.ok(view.disks.every((d) => d.status === 'failed'));
    assert.match(view.error_summary ?? '', /already exists; choose another folder/);
    assert.deepEqual(await Promise.all(vm.disks.map((d) => sha256File(join(folder, d.name)))), before);
    assert.deepEqual(readdirSync(folder).sort(), vm.disks.map((d) => d.name).sort());
  });

  // The path that once hung under Wine: the repository opens (kopia.exe server started), then every disk fails at
  // once, so the server is stopped a moment after it started. The run must still end promptly and leave no kopia.exe.
  it('Can end a run whose snapshot is gone from the repository: failed within a bound, no kopia.exe left', async () => {
    const db = world.test.db;
    const { job_id: jobId } = await db('s3_hyperv_vms').where({ id: world.vmId }).first('job_id') as { job_id: number };
    const goneVmId = Number((await db('s3_hyperv_vms').insert({ job_id: jobId, vm_name: 'gone01', vm_guid: 'gone-guid' }))[0]);
    const gonePath = windowsPath(join(testRoot, 'VMs', 'gone.vhdx'));
    const gonePointId = await insertRealPoint(db, goneVmId, jobId, 'Full', null, { [gonePath]: 'f'.repeat(32) }, 40);
    const startedAt = Date.now();
    const runId = await startRestore(gonePointId, `C:\\Restores\\hvr-${id}\\gone`);
    const view = await waitFor(runId, finished, 120_000);
    assert.equal(view.status, 'failed', view.error_summary ?? '');
    assert.ok(view.disks.every((d) => d.status === 'failed'));
    assert.ok(Date.now() - startedAt < 90_000, `the failed run took ${Date.now() - startedAt} ms to end`);
    assert.ok(logLines().some((l) => l.msg === 'repository open' && l.runId === runId), 'the repository was opened first');
    const until = Date.now() + 30_000;
    while (agentKopia().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(agentKopia(), []);
    const gone = join(restores, 'gone');
    assert.deepEqual(existsSync(gone) ? readdirSync(gone) : [], []);
  });

  it('Can cancel during a disk: run cancelled, no .partial, no final file, no kopia.exe left', async () => {
    const runId = await startRestore(bigPointId, `C:\\Restores\\hvr-${id}\\cancel`);
    const folder = join(restores, 'cancel');
    const partial = join(folder, 'big.vhdx.partial');
    const deadline = Date.now() + 300_000;
    while (!existsSync(partial)) {
      assert.ok(Date.now() < deadline && !finished(await runOf(runId)), 'the restore never created its .partial');
      await new Promise((r) => setTimeout(r, 5));
    }
    // Hold the kopia.exe server still (the agent reads 2 chunks at a time), so the disk cannot finish first.
    const servers = processesMatching('kopia.exe', 'server start', `hvr-test-${id}\\agent-work`);
    assert.ok(servers.length > 0, 'found the agent\'s kopia.exe server');
    for (const pid of servers) process.kill(pid, 'SIGSTOP');
    let cancel;
    try {
      cancel = await clientPost(world.test.app, world.clientId, `/api/runs/${runId}/cancel`, {});
    } finally {
      for (const pid of servers) { try { process.kill(pid, 'SIGCONT'); } catch { /* ended */ } }
    }
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    const view = await waitFor(runId, finished, 120_000);
    assert.equal(view.status, 'cancelled');
    assert.deepEqual(existsSync(folder) ? readdirSync(folder) : [], []);
    const until = Date.now() + 30_000;
    while (agentKopia().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(agentKopia(), []);
  });

  it('Can stop the Windows agent with Ctrl+C (SIGINT, as WinSW does): it shuts down cleanly and leaves no kopia.exe', async () => {
    agent.signal('SIGINT');
    const code = await Promise.race([agent.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
    assert.equal(code, 0, agent.stdout().slice(-2000));
    const stopping = logLines().find((l) => l.msg === 'shutting down');
    assert.equal(stopping?.signal, 'SIGINT');
    assert.deepEqual(agentKopia(), []);
  });
});
