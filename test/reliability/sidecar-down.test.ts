// The sidecar (or its database) goes away while a restore runs: the real agent keeps restoring with real kopia,
// keeps its events in memory, retries with backoff and delivers everything once the sidecar answers again. Nothing
// is stored twice (event keys) and the run ends success with byte-identical disks.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, writeAgentConfig, type AgentProcess } from '../helpers/agent-process.js';
import { TEST_BRIDGE_SECRET, clientPost } from '../helpers/http.js';
import { buildSampleVm, createTestRepository, diskLayout, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';
import { createRestoreWorld, type RestoreWorld } from '../helpers/restore-world.js';
import { startSidecar, type SidecarProcess } from '../helpers/sidecar-process.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { freePort } from '../helpers/versitygw.js';

const AGENT_EVENTS = ['HYPERV_RESTORE_STARTING', 'HYPERV_RESTORE_DISK_STARTING', 'HYPERV_RESTORE_DISK_COMPLETE',
  'HYPERV_RESTORE_DISK_STARTING', 'HYPERV_RESTORE_DISK_COMPLETE', 'HYPERV_RESTORE_COMPLETE'];

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Sidecar or database down during a restore (real agent, kopia, sidecar process, MariaDB)', function () {
  this.timeout(300_000);
  let dir: string;
  let repo: TestRepository;
  let vm: SampleVm;
  let world: RestoreWorld;
  let agent: AgentProcess | null = null;
  let sidecar: SidecarProcess | null = null;
  let proxy: TcpProxy | null = null;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-rel-down-'));
    repo = await createTestRepository();
    vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 24), diskLayout('data.vhdx', 13, 4321)], 1);
    world = await createRestoreWorld(repo, vm, 'mariadb', dir, { parallelism: 4 });
  });

  afterEach(async () => {
    if (process.env.E2E_DUMP && agent) process.stderr.write(agent.output());
    await agent?.stop();
    await sidecar?.stop();
    await proxy?.close();
    agent = sidecar = proxy = null;
  });

  after(async () => {
    await world?.close();
    await repo?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** An agent whose sidecar is the given process (same agent, same token, another URL). */
  function agentFor(baseUrl: string, name: string): AgentProcess {
    const config = JSON.parse(readFileSync(world.configFile, 'utf8')) as Record<string, unknown>;
    return startAgent(writeAgentConfig(dir, { ...config, sidecar_url: baseUrl }, name));
  }

  async function startRestore(folder: string): Promise<number> {
    const res = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', { backup_point_id: world.pointIds[0], target_path: `C:\\Restored\\${folder}` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return Number(res.body.restore_run_id);
  }

  const db = () => world.test.db;
  const runRow = (runId: number) => db()('s3_cloudbackup_runs').where({ id: runId }).first('status', 'error_summary', 'progress_pct');
  const claimed = (runId: number) => async () => (await runRow(runId)).status !== 'queued';
  const diskFiles = (folder: string) => vm.disks.map((d) => join(world.driveC, 'Restored', folder, d.name));

  async function assertRestoredOnce(runId: number, folder: string): Promise<void> {
    const done = await until('the run to end', async () => {
      const row = await runRow(runId);
      return ['success', 'warning', 'failed', 'cancelled'].includes(row.status as string) ? row : null;
    }, 120_000);
    assert.deepEqual([done.status, done.error_summary, Number(done.progress_pct)], ['success', null, 100], agent?.output().slice(-3000));
    for (const [i, disk] of vm.disks.entries()) assert.equal(await sha256File(diskFiles(folder)[i]!), vm.points[0]!.sha256[disk.name]);
    const events = (await db()('s3_cloudbackup_run_events').where({ run_id: runId }).orderBy('id').pluck('message_id')) as string[];
    const important = events.filter((id) => id !== 'HYPERV_RESTORE_DISK_PROGRESS' && id !== 'HYPERV_RESTORE_NOTICE');
    assert.deepEqual(important, ['HYPERV_RESTORE_QUEUED', ...AGENT_EVENTS], 'every event once, in order');
    const keys = await db()('s3_hyperv_restore_event_keys').where({ run_id: runId }).count({ n: '*' });
    assert.equal(Number(keys[0]!.n), events.length - 1, 'one stored event per event the agent made (QUEUED is the sidecar\'s)');
    const command = await db()('s3_cloudbackup_run_commands').where({ run_id: runId }).first('status');
    assert.equal(command.status, 'completed');
  }

  it('Can keep restoring while the sidecar process is down (killed), then deliver progress, events and the end once', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: world.test.database.url, BRIDGE_SECRET: TEST_BRIDGE_SECRET, PORT: String(port) };
    sidecar = await startSidecar(env);
    agent = agentFor(sidecar.baseUrl, 'agent-sidecar-down.json');
    const runId = await startRestore('sidecar-down');
    // Running = the agent has the command and its first heartbeat arrived; then the sidecar dies (SIGKILL: a graceful
    // stop would still answer requests on open keep-alive connections for a while).
    await until('the agent to start the restore', async () => (await runRow(runId)).status === 'running', 60_000);
    await sidecar.stop('SIGKILL');
    // With no sidecar at all the agent finishes both disks.
    await until('both disks on disk', async () => diskFiles('sidecar-down').every((f) => existsSync(f)), 120_000);
    await new Promise((r) => setTimeout(r, 1500));
    const meanwhile = await runRow(runId);
    assert.equal(meanwhile.status, 'running', 'nothing reached the database meanwhile');
    assert.ok(!diskFiles('sidecar-down').some((f) => existsSync(`${f}.partial`)));
    assert.match(agent.output(), /"msg":"(heartbeat not delivered|events not delivered yet)"/);
    sidecar = await startSidecar(env);
    await assertRestoredOnce(runId, 'sidecar-down');
  });

  it('Can keep restoring while the sidecar\'s database is unreachable (503s), then deliver everything once', async () => {
    const url = new URL(world.test.database.url);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 3306));
    url.port = String(proxy.port);
    sidecar = await startSidecar({ DATABASE_URL: url.toString(), BRIDGE_SECRET: TEST_BRIDGE_SECRET });
    agent = agentFor(sidecar.baseUrl, 'agent-db-down.json');
    const runId = await startRestore('db-down');
    await until('the agent to claim the restore', claimed(runId), 60_000);
    await proxy.close();
    await until('both disks on disk', async () => diskFiles('db-down').every((f) => existsSync(f)), 120_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(['starting', 'running'].includes((await runRow(runId)).status as string));
    const health = await fetch(`${sidecar.baseUrl}/healthz`);
    assert.equal(health.status, 503);
    assert.match(agent.output(), /Database unavailable/);
    await proxy.open();
    await assertRestoredOnce(runId, 'db-down');
    assert.equal(sidecar.child.exitCode, null, 'the sidecar was never restarted');
  });
});
