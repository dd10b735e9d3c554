import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../sidecar/app.js';
import { loadConfig } from '../../sidecar/config.js';
import { createDb } from '../../sidecar/db/connection.js';
import { createDeps } from '../../sidecar/deps.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import { createTestDatabase, testDialects } from '../helpers/database.js';
import { startSidecar } from '../helpers/sidecar-process.js';
import { MIGRATIONS } from '../../sql/migrations/index.js';

const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1].id;

const SECRET = 'x'.repeat(40);

describe('GET /healthz', function () {
  for (const dialect of testDialects()) {
    it(`Can report a reachable ${dialect} database and its schema version`, async () => {
      const t = await createTestDatabase(dialect);
      const deps = createDeps(loadConfig({ BRIDGE_SECRET: SECRET, DATABASE_URL: t.url }), { db: t.db, log: createMemoryLogger().log });
      const res = await request(createApp(deps)).get('/healthz').expect(200);
      assert.equal(res.body.status, 'success');
      assert.equal(res.body.database, 'ok');
      assert.equal(res.body.schema_version, LATEST_SCHEMA);
      assert.deepEqual(res.body.pending_migrations, []);
      await t.drop();
    });
  }

  it('Can reach a local MariaDB over its Unix socket (DATABASE_URL ?socket=)', async () => {
    const t = await createTestDatabase('mariadb');
    try {
      const [[row]] = (await t.db.raw('SELECT @@socket AS socket, DATABASE() AS name')) as [{ socket: string; name: string }[]];
      const url = `mysql://root@localhost/${row!.name}?socket=${row!.socket}`;
      const db = createDb(url);
      try {
        // A TCP client's host carries its port ("localhost:51234"); a socket client's is plain "localhost".
        const [[me]] = (await db.raw('SELECT HOST AS host FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()')) as [{ host: string }[]];
        assert.equal(me!.host, 'localhost', 'connected through the socket, not loopback TCP');
        const deps = createDeps(loadConfig({ BRIDGE_SECRET: SECRET, DATABASE_URL: url }), { db, log: createMemoryLogger().log });
        const res = await request(createApp(deps)).get('/healthz').expect(200);
        assert.equal(res.body.schema_version, LATEST_SCHEMA);
      } finally {
        await db.destroy();
      }
    } finally {
      await t.drop();
    }
  });

  it('Can answer 503, not crash, when the database is unreachable', async () => {
    const url = 'mysql://root@127.0.0.1:1/nothing_here';
    const db = createDb(url);
    const deps = createDeps(loadConfig({ BRIDGE_SECRET: SECRET, DATABASE_URL: url }), { db, log: createMemoryLogger().log });
    const app = createApp(deps);
    const res = await request(app).get('/healthz').expect(503);
    assert.deepEqual({ status: res.body.status, message: res.body.message }, { status: 'fail', message: 'Database unavailable' });
    await request(app).get('/healthz').expect(503);
    await db.destroy();
  });

  it('Can answer unknown routes with the JSON envelope', async () => {
    const t = await createTestDatabase('sqlite');
    const deps = createDeps(loadConfig({ BRIDGE_SECRET: SECRET, DATABASE_URL: t.url }), { db: t.db, log: createMemoryLogger().log });
    const res = await request(createApp(deps)).get('/nope').expect(404);
    assert.deepEqual(res.body, { status: 'fail', message: 'Not found' });
    await t.drop();
  });
});

describe('Sidecar process', function () {
  it('Can start on the embedded database, serve /healthz and stop cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvr-proc-'));
    try {
      const sidecar = await startSidecar({ BRIDGE_SECRET: SECRET, DATABASE_URL: `sqlite://${join(dir, 'db.sqlite')}` });
      const res = await fetch(`${sidecar.baseUrl}/healthz`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { schema_version: string }).schema_version, LATEST_SCHEMA);
      assert.equal(await sidecar.stop('SIGTERM'), 0);
      assert.match(sidecar.output(), /"msg":"shutting down"/);
      assert.ok(!sidecar.output().includes(SECRET), 'the bridge secret never reaches the log');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
