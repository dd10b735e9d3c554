// A real sidecar process whose MariaDB connection runs through a loopback proxy the test cuts and restores: while
// the database is gone every route that needs it answers 503 "Database unavailable" in the JSON envelope (quickly,
// not after a hang), the process stays up, and once the database is back every route works again without a restart.
import assert from 'node:assert/strict';
import { TEST_BRIDGE_SECRET, signedRequest, type SignOptions } from '../helpers/http.js';
import { seedAgent, queueRestore, type TestAgent } from '../helpers/agent-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedFixtures, type Fixtures } from '../helpers/fixtures.js';
import { startSidecar, type SidecarProcess } from '../helpers/sidecar-process.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

interface Probe {
  name: string;
  send(): Promise<{ status: number; body: unknown; type: string }>;
  /** The status while the database is up. */
  up: number;
}

describe('Sidecar with its database going away (real process, MariaDB behind a proxy)', function () {
  this.timeout(180_000);
  let t: TestDatabase;
  let proxy: TcpProxy;
  let sidecar: SidecarProcess;
  let fx: Fixtures;
  let agent: TestAgent;
  let runId: number;

  before(async () => {
    t = await createTestDatabase('mariadb');
    fx = await seedFixtures(t.db);
    agent = await seedAgent(t.db, fx.a.clientId, 'db-down-agent-' + 'q'.repeat(32));
    ({ runId } = await queueRestore(t.db, agent));
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(t.url).port || 3306));
    const url = new URL(t.url);
    url.port = String(proxy.port);
    sidecar = await startSidecar({ DATABASE_URL: url.toString(), BRIDGE_SECRET: TEST_BRIDGE_SECRET });
  });

  after(async () => {
    await sidecar?.stop();
    await proxy?.close();
    await t?.drop();
  });

  const signed = (o: SignOptions): Probe['send'] => async () => {
    const res = await signedRequest(sidecar.baseUrl, o);
    return { status: res.status, body: res.body as unknown, type: String(res.headers['content-type'] ?? '') };
  };
  const agentCall = (method: 'GET' | 'POST', path: string, body?: unknown): Probe['send'] => async () => {
    const res = await fetch(sidecar.baseUrl + path, {
      method, headers: { ...agent.headers, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json().catch(() => null), type: res.headers.get('content-type') ?? '' };
  };

  function probes(): Probe[] {
    const a = fx.a;
    const event = { id: crypto.randomUUID(), ts: new Date().toISOString(), type: 'info', level: 'info', message_id: 'HYPERV_RESTORE_DISK_STARTING', params: { disk_name: 'disk0.vhdx', disk_index: 1, total_disks: 1 } };
    return [
      { name: 'GET /healthz', up: 200, send: async () => { const r = await fetch(`${sidecar.baseUrl}/healthz`); return { status: r.status, body: await r.json(), type: r.headers.get('content-type') ?? '' }; } },
      { name: 'GET /api/hyperv/vms', up: 200, send: signed({ path: `/api/hyperv/vms?job_id=${a.jobId}`, clientId: a.clientId }) },
      { name: 'GET /api/hyperv/backup-points', up: 200, send: signed({ path: `/api/hyperv/backup-points?vm_id=${a.vmId}`, clientId: a.clientId }) },
      { name: 'GET /api/runs/:run', up: 200, send: signed({ path: `/api/runs/${runId}`, clientId: a.clientId }) },
      { name: 'GET /api/runs/:run/events', up: 200, send: signed({ path: `/api/runs/${runId}/events?after=0`, clientId: a.clientId }) },
      { name: 'POST /api/hyperv/restores', up: 400, send: signed({ method: 'POST', path: '/api/hyperv/restores', clientId: a.clientId, body: { backup_point_id: a.fullPointId } }) },
      { name: 'GET /pages/hyperv', up: 200, send: signed({ path: `/pages/hyperv?job_id=${a.jobId}`, clientId: a.clientId }) },
      { name: 'GET /pages/live', up: 200, send: signed({ path: `/pages/live?run_id=${runId}`, clientId: a.clientId }) },
      { name: 'GET /admin/api/runs', up: 200, send: signed({ path: '/admin/api/runs', adminId: 1 }) },
      { name: 'GET /admin/api/agents', up: 200, send: signed({ path: '/admin/api/agents', adminId: 1 }) },
      { name: 'GET /admin/pages/runs', up: 200, send: signed({ path: '/admin/pages/runs', adminId: 1 }) },
      { name: 'POST /agent/commands/claim', up: 200, send: agentCall('POST', '/agent/commands/claim') },
      { name: 'GET /agent/runs/:run', up: 404, send: agentCall('GET', '/agent/runs/999999') },
      { name: 'POST /agent/runs/:run/events', up: 404, send: agentCall('POST', '/agent/runs/999999/events', { events: [event] }) },
    ];
  }

  it('Can serve every route while the database is up', async () => {
    for (const probe of probes()) {
      const res = await probe.send();
      assert.equal(res.status, probe.up, `${probe.name}: ${JSON.stringify(res.body)}`);
    }
  });

  it('Can answer 503 "Database unavailable" on every route while the database is unreachable, and stay up', async () => {
    await proxy.close();
    for (const probe of probes()) {
      const started = Date.now();
      const res = await probe.send();
      const took = Date.now() - started;
      assert.equal(res.status, 503, `${probe.name}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(res.type, /application\/json/, probe.name);
      assert.equal((res.body as { status: string }).status, 'fail', probe.name);
      assert.equal((res.body as { message: string }).message, 'Database unavailable', probe.name);
      assert.ok(took < 15_000, `${probe.name} took ${took} ms`);
    }
    assert.equal(sidecar.child.exitCode, null, 'the sidecar is still running');
    assert.doesNotMatch(sidecar.output(), /"level":"error".*"msg":"request failed".*"code":undefined/);
  });

  it('Can recover by itself once the database is back: every route answers as before, no restart', async () => {
    await proxy.open();
    const pid = sidecar.child.pid;
    for (const probe of probes()) {
      const res = await probe.send();
      assert.equal(res.status, probe.up, `${probe.name}: ${JSON.stringify(res.body)}`);
    }
    assert.equal(sidecar.child.pid, pid);
    assert.equal(sidecar.child.exitCode, null);
  });

  it('Can recover after the connections it holds are cut mid-use (pooled connections dropped)', async () => {
    // Warm the pool, then cut and restore at once: stale pooled connections must not turn into 500s.
    await Promise.all(probes().map((p) => p.send()));
    await proxy.close();
    await proxy.open();
    const results = [];
    for (const probe of probes()) results.push([probe.name, (await probe.send()).status]);
    const unexpected = results.filter(([, status], i) => status !== probes()[i]!.up && status !== 503);
    assert.deepEqual(unexpected, [], 'only the expected status or a 503, never a 500');
    // Within a few seconds every route is fully back.
    const until = Date.now() + 10_000;
    for (const probe of probes()) {
      let res = await probe.send();
      while (res.status !== probe.up && Date.now() < until) res = await probe.send();
      assert.equal(res.status, probe.up, probe.name);
    }
  });

  it('Can answer 503 within seconds when the database stops answering without closing (network partition), then recover', async () => {
    await Promise.all(probes().map((p) => p.send())); // pooled connections exist and will hang mid-query
    proxy.blackhole(true);
    try {
      const results = await Promise.all(probes().map(async (probe) => {
        const started = Date.now();
        const res = await probe.send();
        return { name: probe.name, status: res.status, message: (res.body as { message?: string } | null)?.message, took: Date.now() - started };
      }));
      for (const r of results) {
        assert.deepEqual([r.name, r.status, r.message], [r.name, 503, 'Database unavailable']);
        assert.ok(r.took < 30_000, `${r.name} took ${r.took} ms`);
      }
    } finally {
      proxy.blackhole(false);
    }
    const until = Date.now() + 20_000;
    for (const probe of probes()) {
      let res = await probe.send();
      while (res.status !== probe.up && Date.now() < until) res = await probe.send();
      assert.equal(res.status, probe.up, probe.name);
    }
  });
});
