// POST /agent/commands/resume: what a restarted agent had in hand. Only its own `processing` commands of runs that
// are still going; never another agent's, never a finished run's, never a pending command (that is claim's job).
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../sidecar/app.js';
import { loadConfig } from '../../sidecar/config.js';
import { createDeps } from '../../sidecar/deps.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import { queueRestore, seedAgentWorld, type AgentWorld } from '../helpers/agent-fixtures.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/database.js';

for (const dialect of testDialects()) {
  describe(`POST /agent/commands/resume (${dialect})`, function () {
    let t: TestDatabase;
    let app: Express;
    let w: AgentWorld;

    beforeEach(async () => {
      t = await createTestDatabase(dialect);
      app = createApp(createDeps(loadConfig({ BRIDGE_SECRET: 's'.repeat(40), DATABASE_URL: t.url }), { db: t.db, log: createMemoryLogger().log }));
      w = await seedAgentWorld(t.db);
    });
    afterEach(async () => t.drop());

    const resume = (headers: Record<string, string>) => request(app).post('/agent/commands/resume').set(headers);

    it('Can give an agent back the command it claimed, with its payload, until the run ends', async () => {
      const { runId, commandId } = await queueRestore(t.db, w.a);
      assert.deepEqual((await resume(w.a.headers).expect(200)).body, { status: 'success', commands: [] }, 'a pending command is not resumed');
      const claimed = (await request(app).post('/agent/commands/claim').set(w.a.headers).expect(200)).body.command;
      const res = await resume(w.a.headers).expect(200);
      assert.deepEqual(res.body.commands, [claimed]);
      assert.equal(res.body.commands[0].command_id, commandId);
      // Asking again is harmless: the same command, nothing changed.
      assert.deepEqual((await resume(w.a.headers).expect(200)).body.commands, [claimed]);
      await request(app).post(`/agent/runs/${runId}/finish`).set(w.a.headers).send({ status: 'failed', message: 'stopped' }).expect(200);
      assert.deepEqual((await resume(w.a.headers).expect(200)).body.commands, []);
    });

    it('Cannot give a command to another agent, even of the same client, nor one whose run the watchdog ended', async () => {
      const { runId } = await queueRestore(t.db, w.a);
      await request(app).post('/agent/commands/claim').set(w.a.headers).expect(200);
      assert.deepEqual((await resume(w.b.headers).expect(200)).body.commands, []);
      assert.deepEqual((await resume(w.c.headers).expect(200)).body.commands, []);
      await t.db('s3_cloudbackup_runs').where({ id: runId }).update({ status: 'failed' });
      assert.deepEqual((await resume(w.a.headers).expect(200)).body.commands, []);
    });

    it('Rejects a request without a valid agent token', async () => {
      const res = await resume({ 'X-Agent-ID': String(w.a.id), 'X-Agent-Token': 'nope' }).expect(401);
      assert.deepEqual(res.body, { status: 'fail', message: 'Unauthorized' });
    });
  });
}
