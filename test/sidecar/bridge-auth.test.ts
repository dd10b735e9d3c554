import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import express from 'express';
import request, { type Test } from 'supertest';
import { createApp } from '../../sidecar/app.js';
import { DEMO_CLIENT_ID } from '../../sidecar/config.js';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { bodyParsers } from '../../sidecar/http/body-parsers.js';
import { bridgeAuth, requireAdmin, requireClient } from '../../sidecar/http/bridge-auth.js';
import { errorHandler } from '../../sidecar/http/error-handler.js';
import { respond } from '../../sidecar/http/respond.js';
import { canonicalString, sign } from '../../sidecar/lib/hmac.js';
import { acceptNonce, NONCES_TABLE, pruneNonces } from '../../sidecar/services/nonces.js';
import { testDialects } from '../helpers/database.js';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { bridgeHeaders, createTestApp, createTestAppOn, newNonce, seededApp, signedRequest, TEST_BRIDGE_SECRET, type TestApp } from '../helpers/http.js';
import { projectPath } from '../helpers/paths.js';
import { signatureVectors, type SignatureVector } from '../helpers/signature-vectors.js';

const UNAUTHORIZED = { status: 'fail', message: 'Unauthorized' };
const VMS = '/api/hyperv/vms';

for (const dialect of testDialects()) {
  describe(`Bridge authentication (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });

    it('Can accept a request signed like the bridge and answer for that client only', async () => {
      const res = await signedRequest(t.app, { path: VMS, clientId: f.a.clientId }).expect(200);
      assert.equal(res.body.status, 'success');
      assert.deepEqual(res.body.vms.map((v: { vm_name: string }) => v.vm_name).sort(), ['db-a', 'legacy-vm', 'web-a']);
    });

    const rejected: [string, () => Test][] = [
      ['no bridge headers at all', () => request(t.app).get(VMS)],
      ['empty bridge headers', () => signedRequest(t.app, { path: VMS, clientId: 1 }, { 'X-Bridge-Timestamp': '', 'X-Bridge-Nonce': '', 'X-Bridge-Client-Id': '', 'X-Bridge-Signature': '' })],
      ['a missing signature', () => signedRequest(t.app, { path: VMS, clientId: 1 }, { 'X-Bridge-Signature': '' })],
      ['a signature made with another secret', () => signedRequest(t.app, { path: VMS, clientId: 1, secret: 'z'.repeat(40) })],
      ['a truncated signature', () => signedRequest(t.app, { path: VMS, clientId: 1 }, { 'X-Bridge-Signature': bridgeHeaders({ path: VMS, clientId: 1 })['X-Bridge-Signature'].slice(0, 63) })],
      ['a timestamp 301 s in the past', () => signedRequest(t.app, { path: VMS, clientId: 1, timestamp: Math.floor(Date.now() / 1000) - 301 })],
      ['a timestamp 301 s in the future', () => signedRequest(t.app, { path: VMS, clientId: 1, timestamp: Math.floor(Date.now() / 1000) + 301 })],
      ['a client id swapped after signing', () => signedRequest(t.app, { path: VMS, clientId: 1 }, { 'X-Bridge-Client-Id': '2' })],
      ['an admin id added after signing', () => signedRequest(t.app, { path: VMS, clientId: 1 }, { 'X-Bridge-Admin-Id': '1' })],
      ['a query changed after signing', () => signedRequest(t.app, { path: `${VMS}?job_id=1`, clientId: 1 }).query({ job_id: 2 })],
      ['a nonce that is too short', () => signedRequest(t.app, { path: VMS, clientId: 1, nonce: 'short' })],
      ['a nonce with forbidden characters', () => signedRequest(t.app, { path: VMS, clientId: 1, nonce: 'abc def ghi jkl mno' })],
      ['a client id that is not a number', () => signedRequest(t.app, { path: VMS, clientId: '1 OR 1=1' })],
      ['a signed request without a client id on a client route', () => signedRequest(t.app, { path: VMS, adminId: 1 })],
    ];
    for (const [name, send] of rejected) {
      it(`Rejects ${name} with 401`, async () => {
        const res = await send().expect(401);
        assert.deepEqual(res.body, UNAUTHORIZED);
      });
    }

    it('Rejects a replayed nonce with 401, also on another sidecar instance', async () => {
      const headers = bridgeHeaders({ path: VMS, clientId: f.a.clientId });
      await signedRequest(t.app, { path: VMS, clientId: f.a.clientId }, { ...headers }).expect(200);
      assert.deepEqual((await signedRequest(t.app, { path: VMS, clientId: f.a.clientId }, { ...headers }).expect(401)).body, UNAUTHORIZED);
      const other = createApp(t.deps);
      assert.deepEqual((await signedRequest(other, { path: VMS, clientId: f.a.clientId }, { ...headers }).expect(401)).body, UNAUTHORIZED);
    });

    it('Rejects a body altered after signing with 401 and writes nothing', async () => {
      const before = await snapshotTables(t.db);
      const signed = { backup_point_id: f.a.fullPointId, target_path: 'C:\\Restored\\a' };
      const headers = bridgeHeaders({ method: 'POST', path: '/api/hyperv/restores', clientId: f.a.clientId, body: signed });
      const res = await signedRequest(t.app, { method: 'POST', path: '/api/hyperv/restores', clientId: f.a.clientId, body: { ...signed, target_path: 'C:\\Evil' } }, { ...headers }).expect(401);
      assert.deepEqual(res.body, UNAUTHORIZED);
      assert.deepEqual(await snapshotTables(t.db), before);
    });

    it('Rejects an unsigned malformed body with 401, a signed one with 400', async () => {
      const body = '{"backup_point_id": 1,';
      const unsigned = await signedRequest(t.app, { method: 'POST', path: '/api/hyperv/restores', clientId: 1, body, contentType: 'application/json', secret: 'q'.repeat(40) }).expect(401);
      assert.deepEqual(unsigned.body, UNAUTHORIZED);
      const signed = await signedRequest(t.app, { method: 'POST', path: '/api/hyperv/restores', clientId: 1, body, contentType: 'application/json' }).expect(400);
      assert.deepEqual(signed.body, { status: 'fail', message: 'Request body is not valid JSON' });
    });

    it('Cannot write the signature or the secret to the log', async () => {
      const headers = bridgeHeaders({ path: VMS, clientId: 1, secret: 'w'.repeat(40) });
      await signedRequest(t.app, { path: VMS, clientId: 1 }, { ...headers }).expect(401);
      const log = t.logLines().join('\n');
      assert.match(log, /bridge request rejected/);
      assert.ok(!log.includes(headers['X-Bridge-Signature']));
      assert.ok(!log.includes(TEST_BRIDGE_SECRET));
    });

    it('Can record nonces until their window closes and prune only expired ones', async () => {
      const nonce = newNonce();
      assert.equal(await acceptNonce(t.db, nonce, new Date(Date.now() + 60_000)), true);
      assert.equal(await acceptNonce(t.db, nonce, new Date(Date.now() + 60_000)), false);
      await t.db(NONCES_TABLE).insert({ nonce: `expired-${newNonce()}`, expires_at: toDbTime(new Date(Date.now() - 1000)) });
      const removed = await pruneNonces(t.db);
      assert.ok(removed >= 1);
      assert.equal((await t.db(NONCES_TABLE).where('expires_at', '<', toDbTime()).count({ n: '*' }))[0]!.n, 0);
      assert.ok(await t.db(NONCES_TABLE).where('nonce', nonce).first());
    });

    it('Can accept the nonces of concurrent requests together and still refuse the one replayed among them', async () => {
      const [n1, n2] = [newNonce(), newNonce()];
      const expires = new Date(Date.now() + 60_000);
      const accepted = await Promise.all([acceptNonce(t.db, n1, expires), acceptNonce(t.db, n2, expires), acceptNonce(t.db, n1, expires)]);
      assert.deepEqual(accepted, [true, true, false]);
      assert.equal((await t.db(NONCES_TABLE).whereIn('nonce', [n1, n2]).count({ n: '*' }))[0]!.n, 2);
    });

    it('Can guard admin routes with requireAdmin and client routes with requireClient', async () => {
      const app = express();
      app.use('/admin', ...bodyParsers(), bridgeAuth(t.deps));
      app.get('/admin/ping', requireAdmin, (_req, res) => respond(res, { identity: res.locals.identity }));
      app.get('/admin/client', requireClient, (_req, res) => respond(res));
      app.use(errorHandler(t.deps.log));
      const ok = await signedRequest(app, { path: '/admin/ping', adminId: 5 }).expect(200);
      assert.deepEqual(ok.body.identity, { adminId: 5 });
      assert.deepEqual((await signedRequest(app, { path: '/admin/ping', clientId: 5 }).expect(401)).body, UNAUTHORIZED);
      assert.deepEqual((await signedRequest(app, { path: '/admin/client', adminId: 5 }).expect(401)).body, UNAUTHORIZED);
      const both = await signedRequest(app, { path: '/admin/ping', adminId: 5, clientId: 9 }).expect(200);
      assert.deepEqual(both.body.identity, { clientId: 9, adminId: 5 });
    });
  });

  describe(`Bridge authentication in demo mode (${dialect})`, function () {
    let t: TestApp;
    let other: TestApp;
    before(async () => {
      t = await createTestApp(dialect, { DEMO_MODE: '1' });
      await seedFixtures(t.db);
      other = createTestAppOn(t.database, { DEMO_MODE: '1', BRIDGE_SECRET: '' });
    });
    after(() => t.drop());

    it(`Can serve an unsigned request as the demo client (${DEMO_CLIENT_ID})`, async () => {
      const res = await request(t.app).get(VMS).expect(200);
      assert.deepEqual(res.body.vms.map((v: { vm_name: string }) => v.vm_name).sort(), ['db-a', 'legacy-vm', 'web-a']);
    });

    it('Can still verify signed requests, and rejects a bad one', async () => {
      const res = await signedRequest(t.app, { path: VMS, clientId: 2 }).expect(200);
      assert.deepEqual(res.body.vms.map((v: { vm_name: string }) => v.vm_name).sort(), ['db-b', 'web-b']);
      assert.deepEqual((await signedRequest(t.app, { path: VMS, clientId: 2, secret: 'x'.repeat(40) }).expect(401)).body, UNAUTHORIZED);
    });

    it('Rejects every signed request when demo mode runs without a secret', async () => {
      assert.deepEqual((await signedRequest(other.app, { path: VMS, clientId: 2, secret: '' }).expect(401)).body, UNAUTHORIZED);
    });
  });
}

describe('Bridge signature vectors', function () {
  const vectors = JSON.parse(readFileSync(projectPath('test/fixtures/signature-vectors.json'), 'utf8')) as SignatureVector[];

  it('Can reproduce every canonical string and HMAC in test/fixtures/signature-vectors.json', () => {
    assert.ok(vectors.length >= 5);
    for (const v of vectors) {
      const r = { timestamp: v.timestamp, nonce: v.nonce, method: v.method, pathAndQuery: v.path_and_query, clientId: v.client_id, adminId: v.admin_id, body: v.body };
      assert.equal(canonicalString(r), v.canonical, v.description);
      assert.equal(sign(v.secret, r), v.signature, v.description);
    }
    assert.deepEqual(vectors, signatureVectors());
  });
});
