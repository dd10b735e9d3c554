// Property-based fuzzing of every client, admin, agent and page route: hostile paths, query strings and bodies,
// signed correctly so they reach validation. None may answer 5xx, a refusal must change no row and carry the
// {"status":"fail","message"} envelope, and nothing may pollute Object.prototype.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { clientPost, createTestApp, type TestApp } from '../helpers/http.js';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { FUZZ_ROUTES, fuzzInput, pathOf, sendFuzz, type Callers, type FuzzInput, type FuzzRoute } from '../helpers/fuzz-routes.js';
import type { Dialect } from '../helpers/database.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS: Record<Dialect, number> = { mariadb: Number(process.env.FUZZ_RUNS ?? 120), sqlite: Number(process.env.FUZZ_RUNS_SQLITE ?? 25) };

/** Rows without the agents' last_seen_at, which any authenticated agent call may refresh by design. */
async function rows(t: TestApp): Promise<Record<string, unknown[]>> {
  const snap = await snapshotTables(t.db);
  snap.s3_cloudbackup_agents = snap.s3_cloudbackup_agents!.map((r) => ({ ...(r as Record<string, unknown>), last_seen_at: null }));
  return snap;
}

function describeCase(route: FuzzRoute, input: FuzzInput, res: Response): string {
  const body = input.body ? `${input.body.contentType} ${input.body.text.slice(0, 300)}` : '(no body)';
  return `${route.method} ${pathOf(route, input).slice(0, 300)} ${body} -> ${res.status} ${res.text.slice(0, 300)}`;
}

function assertRefusalShape(route: FuzzRoute, res: Response, what: string): void {
  const type = String(res.headers['content-type'] ?? '');
  if (route.kind === 'page' && type.startsWith('text/html')) return;
  assert.match(type, /^application\/json/, `not JSON: ${what}`);
  assert.equal(res.body.status, 'fail', `no fail envelope: ${what}`);
  assert.equal(typeof res.body.message, 'string', `no message: ${what}`);
  assert.ok(res.body.message.length > 0, `empty message: ${what}`);
}

for (const dialect of ['mariadb', 'sqlite'] as const) {
  describe(`Fuzzing every route on ${dialect}`, function () {
    this.timeout(600_000);
    let t: TestApp;
    let f: Fixtures;
    let who: Callers;
    let ids: number[];

    before(async () => {
      // Limits high enough that every input reaches validation (security-limits.test.ts covers the 429s).
      t = await createTestApp(dialect, { RATE_LIMIT_RESTORES_PER_MINUTE: '100000', RATE_LIMIT_AGENT_POLLS_PER_MINUTE: '1000000' });
      f = await seedFixtures(t.db);
      // One queued restore, claimed by agent A, so run ids and the agent's run routes lead somewhere real.
      const started = await clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { backup_point_id: f.a.fullPointId, target_path: 'D:\\Restored' }).expect(200);
      who = { clientId: f.a.clientId, adminId: 1, agentHeaders: { 'X-Agent-ID': String(f.a.agentId), 'X-Agent-Token': f.a.agentToken } };
      ids = [f.a.vmId, f.a.fullPointId, f.a.jobId, f.b.vmId, f.b.fullPointId, f.b.jobId, Number(started.body.restore_run_id), 1, 2];
    });
    after(async () => t.drop());

    for (const route of FUZZ_ROUTES) {
      it(`Rejects hostile input to ${route.method} ${route.pattern} without 5xx, row changes or a missing envelope`, async () => {
        let before = await rows(t);
        const statuses = new Map<number, number>();
        await fc.assert(fc.asyncProperty(fuzzInput(route, ids), async (input) => {
          const res = await sendFuzz(t.app, route, input, who);
          const what = describeCase(route, input, res);
          assert.ok(res.status < 500, `5xx: ${what}`);
          // Correctly signed: a 401 would mean the input never reached validation.
          if (route.caller !== 'none') assert.notEqual(res.status, 401, `not authenticated: ${what}`);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.equal(({} as Record<string, unknown>).polluted, undefined, `prototype polluted: ${what}`);
          const after = await rows(t);
          if (res.status >= 400) {
            assertRefusalShape(route, res, what);
            assert.deepEqual(after, before, `a refused request changed rows: ${what}`);
          } else if (!route.mutates) {
            assert.deepEqual(after, before, `a read changed rows: ${what}`);
          }
          before = after;
        }), { numRuns: RUNS[dialect], seed: SEED, endOnFailure: true });
        if (process.env.FUZZ_VERBOSE) console.log(route.pattern, Object.fromEntries(statuses));
      });
    }
  });
}
