// Property-based fuzzing of the credentials themselves: random agent ids/tokens and random bridge headers never
// get in, never answer 5xx and never change a row.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import request from 'supertest';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { NASTY_STRINGS } from '../helpers/fuzz-inputs.js';
import { createTestApp, type TestApp } from '../helpers/http.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
// Header values must be valid HTTP header text (the client refuses others before sending). Surrounding spaces are
// not part of a header value (HTTP trims them), so a token with a trailing space is the same token.
const headerText = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS.filter((s) => /^[\x20-\x7e]*$/.test(s))),
  fc.string({ maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  fc.integer().map(String), fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String), fc.constant('x'.repeat(300)),
);

describe('Fuzzing credentials', function () {
  this.timeout(300_000);
  let t: TestApp;
  let f: Fixtures;
  before(async () => {
    t = await createTestApp('mariadb');
    f = await seedFixtures(t.db);
  });
  after(async () => t.drop());

  it('Rejects random agent ids and tokens with 401 and the envelope, changing nothing', async () => {
    const before = await snapshotTables(t.db);
    const id = fc.oneof(headerText, fc.constantFrom(String(f.a.agentId), String(f.b.agentId)));
    const token = fc.oneof(headerText, fc.constantFrom(f.b.agentToken, f.a.agentToken.slice(0, -1), f.a.agentToken + 'x', f.a.agentToken.toUpperCase()));
    await fc.assert(fc.asyncProperty(id, token, async (agentId, agentToken) => {
      fc.pre(!(agentId === String(f.a.agentId) && agentToken === f.a.agentToken) && !(agentId === String(f.b.agentId) && agentToken === f.b.agentToken));
      const res = await request(t.app).post('/agent/commands/claim').set({ 'X-Agent-ID': agentId, 'X-Agent-Token': agentToken });
      assert.equal(res.status, 401, `${agentId} / ${agentToken} -> ${res.status} ${res.text}`);
      assert.deepEqual(res.body, { status: 'fail', message: 'Unauthorized' });
    }), { numRuns: 150, seed: SEED });
    assert.deepEqual(await snapshotTables(t.db), before);
  });

  it('Rejects random bridge headers with 401 and the envelope, changing nothing', async () => {
    const before = await snapshotTables(t.db);
    const headers = fc.record({
      'X-Bridge-Timestamp': fc.oneof(headerText, fc.constant(String(Math.floor(Date.now() / 1000)))),
      'X-Bridge-Nonce': headerText, 'X-Bridge-Client-Id': headerText, 'X-Bridge-Admin-Id': headerText,
      'X-Bridge-Signature': fc.oneof(headerText, fc.stringMatching(/^[0-9a-f]{64}$/)),
    });
    await fc.assert(fc.asyncProperty(headers, fc.constantFrom('/api/hyperv/vms', '/admin/api/runs', '/pages/hyperv'), async (h, path) => {
      const res = await request(t.app).post(path === '/api/hyperv/vms' ? '/api/hyperv/restores' : path).set(h).send({ backup_point_id: f.a.fullPointId, target_path: 'D:\\x' });
      assert.ok([401, 404].includes(res.status), `${JSON.stringify(h)} ${path} -> ${res.status} ${res.text}`);
      assert.equal(res.body.status, 'fail');
    }), { numRuns: 150, seed: SEED });
    assert.deepEqual(await snapshotTables(t.db), before);
  });
});
