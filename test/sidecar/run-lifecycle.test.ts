import assert from 'node:assert/strict';
import request from 'supertest';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { runWatchdog } from '../../sidecar/jobs/watchdog.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import type { RunFinished } from '../../sidecar/services/run-lifecycle.js';
import { queueRestore, seedAgentWorld, type AgentWorld, type TestAgent } from '../helpers/agent-fixtures.js';
import { testDialects } from '../helpers/database.js';
import { clientPost, createTestApp, signedRequest, type TestApp } from '../helpers/http.js';

const ADMIN = 9;
const HOUR = 3600_000;

for (const dialect of testDialects()) {
  describe(`Run endings (${dialect})`, function () {
    let t: TestApp;
    let w: AgentWorld;
    let seen: RunFinished[];
    let unsubscribe: () => void;

    before(async () => {
      t = await createTestApp(dialect);
      w = await seedAgentWorld(t.db);
    });
    after(() => t.drop());
    beforeEach(() => {
      seen = [];
      unsubscribe = t.deps.runFinished.subscribe((fact) => seen.push(fact));
    });
    afterEach(() => unsubscribe());

    const factsOf = (runId: number) => seen.filter((f) => f.runId === runId);
    const claimRunning = async (agent: TestAgent) => {
      const { runId } = await queueRestore(t.db, agent);
      const claimed = await request(t.app).post('/agent/commands/claim').set(agent.headers).send({}).expect(200);
      assert.equal(claimed.body.command.run_id, runId);
      await t.db('s3_cloudbackup_runs').where('id', runId).update({ status: 'running' });
      return runId;
    };

    it("Can end a run by the agent's finish, announced once", async () => {
      const runId = await claimRunning(w.a);
      const finish = () => request(t.app).post(`/agent/runs/${runId}/finish`).set(w.a.headers).send({ status: 'success', message: 'done' }).expect(200);
      await finish();
      await finish();
      assert.deepEqual(factsOf(runId), [{ runId, clientId: w.a.clientId, agentId: w.a.id, status: 'success', actor: { kind: 'agent', agentId: w.a.id }, message: null }]);
      const command = await t.db('s3_cloudbackup_run_commands').where('run_id', runId).first();
      assert.deepEqual([command.status, command.result_message], ['completed', 'done']);
    });

    it("Can end a queued run by the client's cancel, announced once", async () => {
      const { runId } = await queueRestore(t.db, w.a);
      await clientPost(t.app, w.a.clientId, `/api/runs/${runId}/cancel`).expect(200);
      await clientPost(t.app, w.a.clientId, `/api/runs/${runId}/cancel`).expect(409);
      assert.deepEqual(factsOf(runId), [{
        runId, clientId: w.a.clientId, agentId: w.a.id, status: 'cancelled', actor: { kind: 'client', clientId: w.a.clientId }, message: 'Cancelled by the client',
      }]);
    });

    it("Can end a queued run by an admin's cancel, recorded as the admin's and announced once", async () => {
      const { runId } = await queueRestore(t.db, w.c);
      const cancel = () => signedRequest(t.app, { method: 'POST', path: `/admin/api/runs/${runId}/cancel`, adminId: ADMIN, body: {} });
      assert.equal((await cancel().expect(200)).body.message, 'Restore cancelled');
      await cancel().expect(409);
      assert.deepEqual(factsOf(runId), [{
        runId, clientId: w.c.clientId, agentId: w.c.id, status: 'cancelled', actor: { kind: 'admin', adminId: ADMIN }, message: 'Cancelled by an administrator',
      }]);
      const run = await t.db('s3_cloudbackup_runs').where('id', runId).first();
      assert.equal(run.error_summary, 'Cancelled by an administrator');
      const command = await t.db('s3_cloudbackup_run_commands').where('run_id', runId).first();
      assert.deepEqual([command.status, command.result_message], ['failed', 'Cancelled by an administrator before the restore started']);
      const last = await t.db('s3_cloudbackup_run_events').where('run_id', runId).orderBy('id', 'desc').first();
      assert.deepEqual([last.message_id, JSON.parse(last.params_json)], ['HYPERV_RESTORE_CANCELLED', { admin_id: ADMIN }]);
    });

    it('Can end a silent run and an abandoned queued run by the watchdog, each announced once', async () => {
      const silent = await claimRunning(w.b);
      const { runId: abandoned } = await queueRestore(t.db, w.c);
      const longAgo = toDbTime(new Date(Date.now() - 3 * 24 * HOUR));
      await t.db('s3_cloudbackup_runs').whereIn('id', [silent, abandoned]).update({ created_at: longAgo, updated_at: longAgo });
      await t.db('s3_cloudbackup_agents').where('id', w.c.id).update({ last_seen_at: longAgo });
      const tick = () => runWatchdog(t.db, createMemoryLogger().log, { timeoutSeconds: 60, runFinished: t.deps.runFinished });
      const first = await tick();
      await tick();
      assert.ok(first.offline.includes(silent) && first.abandoned.includes(abandoned));
      assert.deepEqual(factsOf(silent).map((f) => [f.status, f.actor, f.agentId]), [['failed', { kind: 'system', job: 'watchdog' }, w.b.id]]);
      assert.deepEqual(factsOf(abandoned).map((f) => [f.status, f.actor, f.message]), [
        ['failed', { kind: 'system', job: 'watchdog' }, `The agent has not been seen since ${new Date(longAgo.replace(' ', 'T') + 'Z').toISOString()}, so the restore could not start`],
      ]);
      const commands = await t.db('s3_cloudbackup_run_commands').whereIn('run_id', [silent, abandoned]).orderBy('run_id');
      assert.deepEqual(commands.map((c) => c.status), ['failed', 'failed']);
    });

    it('Cannot let a failing subscriber undo or block a finished run', async () => {
      const stop = t.deps.runFinished.subscribe(() => { throw new Error('subscriber broke'); });
      try {
        const { runId } = await queueRestore(t.db, w.a);
        await clientPost(t.app, w.a.clientId, `/api/runs/${runId}/cancel`).expect(200);
        assert.equal((await t.db('s3_cloudbackup_runs').where('id', runId).first()).status, 'cancelled');
        assert.equal(factsOf(runId).length, 1);
      } finally {
        stop();
      }
    });
  });
}
