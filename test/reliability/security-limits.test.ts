// Rate limits (per client on starting restores, per agent on polling), body size limits on every parser, and the
// security headers of pages and JSON answers.
import assert from 'node:assert/strict';
import request from 'supertest';
import { FixedWindowLimiter } from '../../sidecar/http/rate-limit.js';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { clientGet, clientPost, createTestApp, signedRequest, type TestApp } from '../helpers/http.js';

describe('Rate limits', function () {
  let t: TestApp;
  let f: Fixtures;
  beforeEach(async () => {
    t = await createTestApp('mariadb', { RATE_LIMIT_RESTORES_PER_MINUTE: '3', RATE_LIMIT_AGENT_POLLS_PER_MINUTE: '5' });
    f = await seedFixtures(t.db);
  });
  afterEach(async () => t.drop());

  it('Rejects a client\'s restore starts beyond the limit with 429, the envelope and Retry-After, and queues nothing', async () => {
    for (let i = 0; i < 3; i++) {
      await clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { backup_point_id: f.a.fullPointId, target_path: `D:\\R${i}` }).expect(200);
    }
    const before = await snapshotTables(t.db);
    const res = await clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { backup_point_id: f.a.fullPointId, target_path: 'D:\\R9' }).expect(429);
    assert.deepEqual(res.body, { status: 'fail', message: 'Too many requests' });
    const retry = Number(res.get('Retry-After'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${res.get('Retry-After')}`);
    assert.deepEqual(await snapshotTables(t.db), before);
  });

  it('Can still start restores for another client and read runs while one client is limited', async () => {
    for (let i = 0; i < 4; i++) await clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { target_path: 'x' });
    await clientPost(t.app, f.b.clientId, '/api/hyperv/restores', { backup_point_id: f.b.fullPointId, target_path: 'D:\\B' }).expect(200);
    await clientGet(t.app, f.a.clientId, '/api/hyperv/vms').expect(200);
  });

  it('Rejects an agent polling beyond its limit with 429 and Retry-After, but not another agent', async () => {
    const a = { 'X-Agent-ID': String(f.a.agentId), 'X-Agent-Token': f.a.agentToken };
    const b = { 'X-Agent-ID': String(f.b.agentId), 'X-Agent-Token': f.b.agentToken };
    for (let i = 0; i < 5; i++) await request(t.app).post('/agent/commands/claim').set(a).expect(200);
    const res = await request(t.app).post('/agent/commands/claim').set(a).expect(429);
    assert.deepEqual(res.body, { status: 'fail', message: 'Too many requests' });
    assert.ok(Number(res.get('Retry-After')) >= 1);
    await request(t.app).post('/agent/commands/claim').set(b).expect(200);
  });

  it('Can count a fixed window and open the next one when it ends', () => {
    let now = 1_000_000;
    const limiter = new FixedWindowLimiter(2, 60_000, () => now);
    assert.equal(limiter.hit('k').allowed, true);
    assert.equal(limiter.hit('k').allowed, true);
    const refused = limiter.hit('k');
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 60 });
    now += 45_500;
    assert.deepEqual(limiter.hit('k'), { allowed: false, retryAfterSeconds: 15 });
    assert.equal(limiter.hit('other').allowed, true);
    now += 15_000;
    assert.equal(limiter.hit('k').allowed, true);
  });
});

describe('Body size limits', function () {
  let t: TestApp;
  let f: Fixtures;
  before(async () => {
    t = await createTestApp('sqlite');
    f = await seedFixtures(t.db);
  });
  after(async () => t.drop());

  const big = 'x'.repeat(600 * 1024);
  const cases: [string, string, string][] = [
    ['JSON', 'application/json', JSON.stringify({ target_path: big })],
    ['form', 'application/x-www-form-urlencoded', `target_path=${big}`],
    ['other', 'text/plain', big],
  ];
  for (const [name, type, body] of cases) {
    it(`Rejects a ${name} body over the limit on the signed routes with 413 and the envelope`, async () => {
      const res = await signedRequest(t.app, { method: 'POST', path: '/api/hyperv/restores', clientId: f.a.clientId, body, contentType: type }).expect(413);
      assert.deepEqual(res.body, { status: 'fail', message: 'Request body too large' });
    });
  }

  it('Rejects an agent body over the limit with 413 and the envelope', async () => {
    const res = await request(t.app).post('/agent/runs/1/events').set({ 'X-Agent-ID': String(f.a.agentId), 'X-Agent-Token': f.a.agentToken })
      .set('Content-Type', 'application/json').send(JSON.stringify({ events: [{ message: big }] })).expect(413);
    assert.deepEqual(res.body, { status: 'fail', message: 'Request body too large' });
  });

  it('Rejects a body in a type the sidecar does not read with 415', async () => {
    const res = await signedRequest(t.app, { method: 'POST', path: '/api/hyperv/restores', clientId: f.a.clientId, body: '<a/>', contentType: 'application/xml' }).expect(415);
    assert.deepEqual(res.body, { status: 'fail', message: 'Send the request body as JSON or as a form' });
  });
});

describe('Security headers', function () {
  let t: TestApp;
  let f: Fixtures;
  before(async () => {
    t = await createTestApp('sqlite');
    f = await seedFixtures(t.db);
  });
  after(async () => t.drop());

  const common = (res: request.Response) => {
    assert.equal(res.get('X-Content-Type-Options'), 'nosniff');
    assert.equal(res.get('Referrer-Policy'), 'no-referrer');
    assert.equal(res.get('X-Frame-Options'), 'DENY');
    assert.equal(res.get('Cross-Origin-Resource-Policy'), 'same-origin');
    assert.match(res.get('Permissions-Policy') ?? '', /camera=\(\)/);
    assert.equal(res.get('X-Powered-By'), undefined);
  };

  it('Can serve a page with a CSP that allows its own scripts, Alpine\'s eval and nothing foreign', async () => {
    const res = await clientGet(t.app, f.a.clientId, `/pages/hyperv-restore?vm_id=${f.a.vmId}`).expect(200);
    common(res);
    const csp = res.get('Content-Security-Policy') ?? '';
    assert.match(csp, /script-src 'self' 'unsafe-eval'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
    assert.equal(res.get('Cache-Control'), 'no-store');
    // Every script the page loads is same-origin, so 'self' covers it.
    for (const src of res.text.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) assert.doesNotMatch(src[1]!, /^(https?:)?\/\//);
  });

  it('Can serve admin pages with the page CSP', async () => {
    const res = await signedRequest(t.app, { path: '/admin/pages/runs', adminId: 1 }).expect(200);
    common(res);
    assert.match(res.get('Content-Security-Policy') ?? '', /default-src 'self'/);
  });

  it('Can serve JSON, errors and 404s with a CSP that allows nothing and no caching', async () => {
    for (const res of [
      await clientGet(t.app, f.a.clientId, '/api/hyperv/vms').expect(200),
      await request(t.app).get('/api/hyperv/vms').expect(401),
      await request(t.app).get('/nowhere').expect(404),
    ]) {
      common(res);
      assert.match(res.get('Content-Security-Policy') ?? '', /^default-src 'none'/);
      assert.equal(res.get('Cache-Control'), 'no-store');
    }
  });
});
