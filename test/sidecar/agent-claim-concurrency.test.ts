import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../sidecar/app.js';
import { loadConfig } from '../../sidecar/config.js';
import { createDeps } from '../../sidecar/deps.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import { clientPost, TEST_BRIDGE_SECRET } from '../helpers/http.js';
import type { ClaimResponse } from '../../sidecar/schemas/agent.js';
import { queueRestore, seedAgentWorld, type TestAgent } from '../helpers/agent-fixtures.js';
import { createTestDatabase, testDialects } from '../helpers/database.js';

const COMMANDS_PER_AGENT = 15;
const POLLERS = 20;

/** One poller: claims until the queue answers "nothing", like an agent loop with no pause. */
async function poll(base: string, agent: TestAgent, seen: { agentId: number; commandId: number }[]): Promise<void> {
  for (;;) {
    const res = await fetch(`${base}/agent/commands/claim`, { method: 'POST', headers: agent.headers });
    assert.equal(res.status, 200);
    const body = (await res.json()) as ClaimResponse;
    if (!body.command) return;
    seen.push({ agentId: agent.id, commandId: body.command.command_id });
  }
}

for (const dialect of testDialects()) {
  describe(`Command claiming on ${dialect}`, function () {
    it(`Can hand every command out once, only to its own agent, under ${POLLERS} concurrent pollers of two agents`, async () => {
      const t = await createTestDatabase(dialect);
      const app = createApp(createDeps(loadConfig({ BRIDGE_SECRET: 's'.repeat(40), DATABASE_URL: t.url }), { db: t.db, log: createMemoryLogger().log }));
      const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      try {
        const w = await seedAgentWorld(t.db);
        const owner = new Map<number, number>();
        for (let i = 0; i < COMMANDS_PER_AGENT; i++) {
          for (const agent of [w.a, w.b]) owner.set((await queueRestore(t.db, agent)).commandId, agent.id);
        }
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const seen: { agentId: number; commandId: number }[] = [];
        await Promise.all(Array.from({ length: POLLERS }, (_, i) => poll(base, i % 2 ? w.b : w.a, seen)));

        const ids = seen.map((s) => s.commandId).sort((x, y) => x - y);
        assert.deepEqual(ids, [...owner.keys()].sort((x, y) => x - y), 'every command claimed exactly once');
        for (const s of seen) assert.equal(s.agentId, owner.get(s.commandId), `command ${s.commandId} went to its own agent`);
        const rows = await t.db('s3_cloudbackup_run_commands').select('status');
        assert.ok(rows.every((r) => r.status === 'processing'));
        const runs = await t.db('s3_cloudbackup_runs').select('status');
        assert.ok(runs.every((r) => r.status === 'starting'));
      } finally {
        await new Promise((resolve) => server.close(resolve));
        await t.drop();
      }
    });

    it('Can agree with a racing cancel: the claim wins and the cancel becomes a request, or the cancel wins and nothing is handed out', async function () {
      this.timeout(120_000);
      const t = await createTestDatabase(dialect);
      const app = createApp(createDeps(loadConfig({ BRIDGE_SECRET: TEST_BRIDGE_SECRET, DATABASE_URL: t.url }), { db: t.db, log: createMemoryLogger().log }));
      const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      try {
        const w = await seedAgentWorld(t.db);
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const outcomes = { claimWon: 0, cancelWon: 0 };
        for (let i = 0; i < 25; i++) {
          const { runId, commandId } = await queueRestore(t.db, w.a);
          const [claim, cancel] = await Promise.all([
            fetch(`${base}/agent/commands/claim`, { method: 'POST', headers: w.a.headers }).then(async (r) => (await r.json()) as ClaimResponse),
            clientPost(app, w.a.clientId, `/api/runs/${runId}/cancel`),
          ]);
          assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
          const run = await t.db('s3_cloudbackup_runs').where('id', runId).first('status', 'cancel_requested');
          const command = await t.db('s3_cloudbackup_run_commands').where('id', commandId).first('status');
          const state = [claim.command?.command_id ?? null, cancel.body.message, run.status, Number(run.cancel_requested), command.status];
          if (claim.command) {
            outcomes.claimWon++;
            assert.deepEqual(state, [commandId, 'Cancellation requested', 'starting', 1, 'processing'], `try ${i}`);
            const seen = await fetch(`${base}/agent/runs/${runId}`, { headers: w.a.headers }).then((r) => r.json()) as { cancel_requested: boolean };
            assert.equal(seen.cancel_requested, true, 'the agent learns of the cancel');
            await t.db('s3_cloudbackup_runs').where('id', runId).update({ status: 'cancelled' });
          } else {
            outcomes.cancelWon++;
            assert.deepEqual(state, [null, 'Restore cancelled', 'cancelled', 1, 'failed'], `try ${i}`);
          }
        }
        if (process.env.RACE_VERBOSE) console.log(outcomes);
      } finally {
        await new Promise((resolve) => server.close(resolve));
        await t.drop();
      }
    });
  });
}
