// What one stolen agent token can and cannot reach (docs/security.md), and bridge secret rotation with
// BRIDGE_SECRET_PREVIOUS.
import assert from 'node:assert/strict';
import request from 'supertest';
import { loadConfig, ConfigError } from '../../sidecar/config.js';
import { queueRestore, seedAgentWorld, type AgentWorld } from '../helpers/agent-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { createTestAppOn, signedRequest, TEST_BRIDGE_SECRET, type TestApp } from '../helpers/http.js';

// A valid heartbeat body, so only ownership can refuse it.
const beat = () => ({
  status: 'running', bytes_total: 1000, bytes_done: 250, progress_pct: 25, speed_bytes_per_sec: 50, eta_seconds: 15, current_item: 'Disk 1/1',
  disks: [{ name: 'disk0.vhdx', path: 'C:\\VMs\\web01\\disk0.vhdx', bytes_total: 1000, bytes_done: 250, status: 'running' }],
});
const UNAUTHORIZED = { status: 'fail', message: 'Unauthorized' };
const RUN_NOT_FOUND = { status: 'fail', message: 'Run not found' };

describe('An attacker holding one agent token', function () {
  let db: TestDatabase;
  let t: TestApp;
  let w: AgentWorld;
  before(async () => {
    db = await createTestDatabase('mariadb');
    t = createTestAppOn(db);
    await seedFixtures(t.db);
    w = await seedAgentWorld(t.db);
  });
  after(async () => t.drop());

  const stolen = () => w.a.headers;

  it('Cannot claim the commands of another agent of the same client or of another client', async () => {
    const sameClient = await queueRestore(t.db, w.b);
    const otherClient = await queueRestore(t.db, w.c);
    const before = await snapshotTables(t.db);
    const res = await request(t.app).post('/agent/commands/claim').set(stolen()).expect(200);
    assert.equal(res.body.command, null);
    const after = await snapshotTables(t.db);
    after.s3_cloudbackup_agents = before.s3_cloudbackup_agents!; // last_seen_at of the caller only
    assert.deepEqual(after, before);
    const commands = await t.db('s3_cloudbackup_run_commands').whereIn('id', [sameClient.commandId, otherClient.commandId]).pluck('status');
    assert.deepEqual(commands, ['pending', 'pending']);
  });

  it('Cannot read, beat, report events for or finish another agent\'s run: each answers like a missing run', async () => {
    const foreign = await queueRestore(t.db, w.c);
    await request(t.app).post('/agent/commands/claim').set(w.c.headers).expect(200);
    const before = await snapshotTables(t.db);
    const base = `/agent/runs/${foreign.runId}`;
    const calls = [
      request(t.app).get(base).set(stolen()),
      request(t.app).post(`${base}/heartbeat`).set(stolen()).send(beat()),
      request(t.app).post(`${base}/events`).set(stolen()).send({ events: [{ id: 'evt-00000001', ts: new Date().toISOString(), type: 'info', level: 'info', message_id: 'HYPERV_RESTORE_DISK_STARTING', params: { disk_name: 'x', disk_index: 1, total_disks: 1 } }] }),
      request(t.app).post(`${base}/finish`).set(stolen()).send({ status: 'success', message: 'all disks restored' }),
    ];
    for (const call of calls) {
      const res = await call;
      assert.equal(res.status, 404, res.text);
      assert.deepEqual(res.body, RUN_NOT_FOUND);
    }
    const after = await snapshotTables(t.db);
    after.s3_cloudbackup_agents = before.s3_cloudbackup_agents!;
    assert.deepEqual(after, before);
  });

  it('Cannot act as another agent by sending its id with the stolen token', async () => {
    for (const id of [w.b.id, w.c.id]) {
      const res = await request(t.app).post('/agent/commands/claim').set({ 'X-Agent-ID': String(id), 'X-Agent-Token': w.a.token }).expect(401);
      assert.deepEqual(res.body, UNAUTHORIZED);
    }
  });

  const bridgeRoutes = ['/api/hyperv/vms', '/api/runs/1', '/pages/hyperv', '/admin/api/runs', '/admin/api/agents', '/admin/pages/runs'];
  for (const path of bridgeRoutes) {
    it(`Cannot reach ${path} with agent headers, nor by signing with the token as the bridge secret`, async () => {
      const plain = await request(t.app).get(path).set(stolen()).expect(401);
      assert.deepEqual(plain.body, UNAUTHORIZED);
      const forged = await signedRequest(t.app, { path, clientId: w.a.clientId, adminId: path.startsWith('/admin') ? 1 : undefined, secret: w.a.token }, stolen()).expect(401);
      assert.deepEqual(forged.body, UNAUTHORIZED);
    });
  }

  it('Cannot cancel a restore through the client API', async () => {
    const run = await queueRestore(t.db, w.a);
    const before = await snapshotTables(t.db);
    const res = await request(t.app).post(`/api/runs/${run.runId}/cancel`).set(stolen()).expect(401);
    assert.deepEqual(res.body, UNAUTHORIZED);
    assert.deepEqual(await snapshotTables(t.db), before);
  });
});

describe('Bridge secret rotation', function () {
  const NEW_SECRET = 'new-bridge-secret-after-rotation-0123456789';
  let db: TestDatabase;
  let f: Fixtures;
  before(async () => {
    db = await createTestDatabase('sqlite');
    f = await seedFixtures(db.db);
  });
  after(async () => db.drop());

  it('Can accept both the new and the previous secret while BRIDGE_SECRET_PREVIOUS is set, and says so in the log', async () => {
    const t = createTestAppOn(db, { BRIDGE_SECRET: NEW_SECRET, BRIDGE_SECRET_PREVIOUS: TEST_BRIDGE_SECRET });
    await signedRequest(t.app, { path: '/api/hyperv/vms', clientId: f.a.clientId, secret: NEW_SECRET }).expect(200);
    const old = await signedRequest(t.app, { path: '/api/hyperv/vms', clientId: f.a.clientId, secret: TEST_BRIDGE_SECRET }).expect(200);
    assert.equal(old.body.status, 'success');
    const warned = t.logLines().map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'bridge request signed with BRIDGE_SECRET_PREVIOUS');
    assert.equal(warned.length, 1);
    assert.equal(warned[0]!.requestId, old.get('X-Request-Id'));
    for (const line of t.logLines()) {
      assert.ok(!line.includes(NEW_SECRET) && !line.includes(TEST_BRIDGE_SECRET), line);
    }
  });

  it('Rejects the previous secret once the rotation is finished, and any third secret during it', async () => {
    const done = createTestAppOn(db, { BRIDGE_SECRET: NEW_SECRET });
    const res = await signedRequest(done.app, { path: '/api/hyperv/vms', clientId: f.a.clientId, secret: TEST_BRIDGE_SECRET }).expect(401);
    assert.deepEqual(res.body, UNAUTHORIZED);
    const during = createTestAppOn(db, { BRIDGE_SECRET: NEW_SECRET, BRIDGE_SECRET_PREVIOUS: TEST_BRIDGE_SECRET });
    await signedRequest(during.app, { path: '/api/hyperv/vms', clientId: f.a.clientId, secret: 'a-third-secret-nobody-configured-0123456' }).expect(401);
  });

  it('Rejects a previous secret that is short or equal to the current one', () => {
    const base = { BRIDGE_SECRET: NEW_SECRET, DATABASE_URL: 'sqlite://./x.db' };
    assert.throws(() => loadConfig({ ...base, BRIDGE_SECRET_PREVIOUS: 'short' }), (e: unknown) => e instanceof ConfigError && e.variable === 'BRIDGE_SECRET_PREVIOUS');
    assert.throws(() => loadConfig({ ...base, BRIDGE_SECRET_PREVIOUS: NEW_SECRET }), /must differ from BRIDGE_SECRET/);
    assert.equal(loadConfig(base).bridgeSecretPrevious, '');
  });
});
