// Restores to another Hyper-V host of the same client: POST /api/hyperv/restores with agent_id, the claim of that
// host, the duplicate check per host, and the hosts the wizard offers. Another client's host, a disabled one or one
// that does not exist answers exactly like a missing agent and changes nothing.
import assert from 'node:assert/strict';
import request from 'supertest';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { testDialects } from '../helpers/database.js';
import { insertAgent, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { clientGet, clientPost, seededApp, type TestApp } from '../helpers/http.js';

const RESTORES = '/api/hyperv/restores';
const SECOND_TOKEN = 'second-host-token-' + 'h'.repeat(40);

for (const dialect of testDialects()) {
  describe(`Restores to another host of the client (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    let second: number;
    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });
    before(async () => {
      second = await insertAgent(t.db, f.a.clientId, SECOND_TOKEN);
      await t.db('s3_cloudbackup_agents').where('id', second).update({ hostname: 'HV-SPARE', last_seen_at: toDbTime(new Date()) });
    });

    const claim = (agentId: number, token: string) => request(t.app).post('/agent/commands/claim').set({ 'X-Agent-ID': String(agentId), 'X-Agent-Token': token }).expect(200);
    const start = (body: Record<string, unknown>) => clientPost(t.app, f.a.clientId, RESTORES, { backup_point_id: f.a.fullPointId, ...body });

    it('Can queue a restore on a second host of the client: the run and command are that host\'s, its claim gets the job\'s repository', async () => {
      const res = await start({ target_path: 'D:\\Spare\\web-a', agent_id: second }).expect(200);
      assert.equal(res.body.agent_id, second);
      const run = await t.db('s3_cloudbackup_runs').where('id', res.body.restore_run_id).first();
      const command = await t.db('s3_cloudbackup_run_commands').where('run_id', res.body.restore_run_id).first();
      assert.deepEqual([Number(run.job_id), Number(run.agent_id), Number(command.agent_id)], [f.a.jobId, second, second]);

      // The job's own agent is never handed it; the chosen host is, with the job's repository.
      assert.equal((await claim(f.a.agentId, f.a.agentToken)).body.command, null);
      const claimed = (await claim(second, SECOND_TOKEN)).body.command;
      assert.equal(claimed.run_id, res.body.restore_run_id);
      assert.equal(claimed.payload.target_path, 'D:\\Spare\\web-a');
      assert.equal(claimed.repository.type, 's3');
      assert.match(String(claimed.repository.bucket), /\S/);
      assert.equal((await claim(f.a.agentId, f.a.agentToken)).body.command, null);
    });

    it('Can go to the job\'s agent when agent_id is absent or names it', async () => {
      const absent = await start({ target_path: 'D:\\Default' }).expect(200);
      const named = await start({ target_path: 'D:\\Named', agent_id: f.a.agentId }).expect(200);
      for (const res of [absent, named]) {
        const run = await t.db('s3_cloudbackup_runs').where('id', res.body.restore_run_id).first();
        assert.equal(Number(run.agent_id), f.a.agentId);
      }
    });

    it('Can restore into the same folder on two hosts at once, but not twice on one host', async () => {
      await start({ target_path: 'D:\\Same' }).expect(200);
      await start({ target_path: 'D:\\Same', agent_id: second }).expect(200);
      const again = await start({ target_path: 'd:\\same\\', agent_id: second }).expect(409);
      assert.equal(again.body.message, 'A restore of this VM to this folder is already queued or running');
    });

    const refused: [string, () => Promise<number>][] = [
      ['another client\'s agent', async () => f.b.agentId],
      ['a disabled agent of the client', async () => f.disabled.agentId],
      ['an agent id that does not exist', async () => 987654],
    ];
    for (const [name, agentOf] of refused) {
      it(`Rejects ${name} as a missing agent (404) and changes nothing`, async () => {
        const agentId = await agentOf();
        const before = await snapshotTables(t.db);
        const res = await start({ target_path: 'D:\\Elsewhere', agent_id: agentId }).expect(404);
        assert.deepEqual(res.body, { status: 'fail', message: 'Agent not found' });
        assert.deepEqual(await snapshotTables(t.db), before);
      });
    }

    it('Rejects an agent_id that is not an id (400) and changes nothing', async () => {
      const before = await snapshotTables(t.db);
      for (const agentId of ['x', -1, 0, 1.5, [second]]) {
        const res = await start({ target_path: 'D:\\Elsewhere', agent_id: agentId }).expect(400);
        assert.deepEqual(res.body, { status: 'fail', message: 'agent_id must be a positive whole number' });
      }
      assert.deepEqual(await snapshotTables(t.db), before);
    });

    it('Can offer the client\'s active hosts in the wizard, the job\'s agent first, never another client\'s or a disabled one', async () => {
      // The job's agent last called an hour ago: offline.
      await t.db('s3_cloudbackup_agents').where('id', f.a.agentId).update({ last_seen_at: toDbTime(new Date(Date.now() - 3600_000)) });
      const page = await clientGet(t.app, f.a.clientId, `/pages/hyperv-restore?vm_id=${f.a.vmId}`).expect(200);
      const config = JSON.parse(/<script type="application\/json" data-hvr-config>([\s\S]*?)<\/script>/.exec(page.text)![1]!) as {
        hosts: { agentId: number; name: string; online: boolean; jobAgent: boolean }[]; defaultAgentId: number;
      };
      assert.deepEqual(config.hosts.map((h) => [h.agentId, h.jobAgent]), [[f.a.agentId, true], [second, false]]);
      assert.deepEqual(config.hosts.map((h) => [h.name, h.online]), [['hv-agent-', false], ['HV-SPARE', true]]);
      assert.equal(config.defaultAgentId, f.a.agentId);
    });
  });
}
