// A full restore over S3 (versitygw) with the real agent: the sidecar's and the agent's log output never contain
// the bridge secret, a request signature, the agent token, the repository password or the S3 keys, and every
// line the sidecar writes while serving a request carries that request's id.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startAgent, type AgentProcess } from '../helpers/agent-process.js';
import { bridgeHeaders, clientGet, clientPost, signedRequest, TEST_BRIDGE_SECRET } from '../helpers/http.js';
import { buildSampleVm, createTestRepository, diskLayout, type TestRepository } from '../helpers/kopia.js';
import { createRestoreWorld, type RestoreWorld } from '../helpers/restore-world.js';
import { startVersityGw, type VersityGw, s3RepositoryOn } from '../helpers/versitygw.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function waitForEnd(world: RestoreWorld, runId: number): Promise<string> {
  for (let i = 0; i < 1800; i++) {
    const status = (await clientGet(world.test.app, world.clientId, `/api/runs/${runId}`).expect(200)).body.run.status as string;
    if (['success', 'warning', 'failed', 'cancelled'].includes(status)) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'timeout';
}

describe('Logs of a full restore', function () {
  this.timeout(600_000);
  let dir: string;
  let gw: VersityGw;
  let repo: TestRepository;
  let world: RestoreWorld;
  let agent: AgentProcess;
  const signatures: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-sec-logs-'));
    gw = await startVersityGw();
    await gw.createBucket('backups');
    repo = await createTestRepository(s3RepositoryOn(gw, 'backups', 'job-sec/'));
    const vm = await buildSampleVm(repo, [diskLayout('disk0.vhdx', 6)], 1);
    world = await createRestoreWorld(repo, vm, 'mariadb', dir);
    agent = startAgent(world.configFile);

    const body = { backup_point_id: world.pointIds[0], target_path: 'C:\\Restored' };
    signatures.push(bridgeHeaders({ method: 'POST', path: '/api/hyperv/restores', clientId: world.clientId, body })['X-Bridge-Signature']);
    const started = await clientPost(world.test.app, world.clientId, '/api/hyperv/restores', body).expect(200);
    assert.equal(await waitForEnd(world, Number(started.body.restore_run_id)), 'success', agent.output().slice(-3000));
    // Refusals log too: a tampered signature, a replayed nonce, a wrong agent token.
    const headers = bridgeHeaders({ path: '/api/hyperv/vms', clientId: world.clientId });
    signatures.push(headers['X-Bridge-Signature']);
    await request(world.test.app).get('/api/hyperv/vms').set({ ...headers, 'X-Bridge-Client-Id': '2' }).expect(401);
    await signedRequest(world.test.app, { path: '/api/hyperv/vms', clientId: world.clientId }, { 'X-Bridge-Signature': 'f'.repeat(64) }).expect(401);
    await request(world.test.app).post('/agent/commands/claim').set({ 'X-Agent-ID': String(world.agentId), 'X-Agent-Token': 'wrong-' + gw.secretAccessKey }).expect(401);
    await agent.stop();
  });

  after(async () => {
    await agent?.stop();
    await world?.close();
    await repo?.cleanup();
    await gw?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('Cannot find any secret in the sidecar log or the agent log', () => {
    const sidecar = world.test.logLines().join('\n');
    const agentLog = agent.output();
    assert.ok(sidecar.includes('restore queued') && sidecar.includes('run finished'), 'the sidecar logged the flow');
    assert.ok(agentLog.length > 500, 'the agent logged the flow');
    const secrets: Record<string, string> = {
      'bridge secret': TEST_BRIDGE_SECRET, 'agent token': 'e2e-agent-token-' + 'k'.repeat(32), 'repository password': repo.password,
      'S3 secret key': gw.secretAccessKey, 'S3 access key id': gw.accessKeyId,
      ...Object.fromEntries(signatures.map((s, i) => [`signature ${i}`, s])),
    };
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(value.length >= 8, `${name} is long enough to grep for`);
      assert.ok(!sidecar.includes(value), `${name} in the sidecar log`);
      assert.ok(!agentLog.includes(value), `${name} in the agent log`);
    }
  });

  it('Can find the request id on every sidecar log line written while serving a request', () => {
    const lines = world.test.logLines().map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.length >= 4, `${lines.length} lines`);
    for (const line of lines) assert.match(String(line.requestId), UUID, JSON.stringify(line));
  });
});
