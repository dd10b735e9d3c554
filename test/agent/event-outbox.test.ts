// The agent's event outbox against a real sidecar that goes away and comes back on the same port.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { EventOutbox, OUTBOX_LIMIT } from '../../agent/run/event-outbox.js';
import { SidecarClient, SidecarError } from '../../agent/sidecar-client.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import { queueRestore, seedAgentWorld } from '../helpers/agent-fixtures.js';
import { createTestAppOn, type TestApp } from '../helpers/http.js';
import { createTestDatabase } from '../helpers/database.js';

function listen(app: Express, port = 0): Promise<Server> {
  return new Promise((resolve) => { const s = app.listen(port, '127.0.0.1', () => resolve(s)); });
}
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('Agent event outbox', function () {
  let test: TestApp;
  let server: Server;
  let port: number;
  let client: SidecarClient;
  let runId: number;

  beforeEach(async () => {
    test = createTestAppOn(await createTestDatabase('sqlite'));
    const w = await seedAgentWorld(test.db);
    runId = (await queueRestore(test.db, w.a)).runId;
    server = await listen(test.app);
    port = (server.address() as AddressInfo).port;
    client = new SidecarClient({ baseUrl: `http://127.0.0.1:${port}`, agentId: w.a.id, agentToken: w.a.token, timeoutMs: 2000, retries: 0 });
    assert.equal((await client.claim())?.run_id, runId);
  });
  afterEach(async () => {
    if (server.listening) await close(server);
    await test.drop();
  });

  const stored = async () => (await test.db('s3_cloudbackup_run_events').where({ run_id: runId }).orderBy('id')).map((r) => r.message_id as string);

  it('Can keep events while the sidecar is down and deliver them once, in order, when it is back', async () => {
    const outbox = new EventOutbox(client, runId, createMemoryLogger().log);
    outbox.add('HYPERV_RESTORE_STARTING', { vm_name: 'web01', disk_count: 1, target_path: 'C:\\R' });
    await close(server);
    outbox.add('HYPERV_RESTORE_DISK_STARTING', { disk_index: 1, total_disks: 1, disk_name: 'disk0.vhdx' });
    assert.equal(await outbox.flush(), false);
    assert.equal(outbox.pending, 2);
    await assert.rejects(client.claim(), (e: unknown) => e instanceof SidecarError && e.status === 0 && e.retryable);
    server = await listen(test.app, port);
    assert.equal(await outbox.flush(), true);
    assert.equal(outbox.pending, 0);
    assert.equal(await outbox.flush(), true);
    assert.deepEqual(await stored(), ['HYPERV_RESTORE_STARTING', 'HYPERV_RESTORE_DISK_STARTING']);
  });

  it('Can bound the buffer, dropping progress events first', async () => {
    const outbox = new EventOutbox(client, runId, createMemoryLogger().log);
    await close(server);
    outbox.add('HYPERV_RESTORE_STARTING', { vm_name: 'web01', disk_count: 1, target_path: 'C:\\R' });
    for (let i = 0; i < 10; i++) outbox.add('HYPERV_RESTORE_DISK_PROGRESS', { disk_name: 'd', bytes_done: i, bytes_total: 10 });
    for (let i = 0; i < OUTBOX_LIMIT - 5; i++) outbox.add('HYPERV_RESTORE_NOTICE', { message: `n${i}` });
    assert.equal(outbox.pending, OUTBOX_LIMIT);
    assert.equal(outbox.dropped, 6);
    server = await listen(test.app, port);
    assert.equal(await outbox.flush(), true);
    const ids = await stored();
    assert.equal(ids.length, OUTBOX_LIMIT);
    assert.equal(ids[0], 'HYPERV_RESTORE_STARTING');
    assert.equal(ids.filter((id) => id === 'HYPERV_RESTORE_DISK_PROGRESS').length, 4);
  });

  it('Cannot be refused as unauthorized and retried forever: a 401 is final', async () => {
    const stranger = new SidecarClient({ baseUrl: `http://127.0.0.1:${port}`, agentId: 1, agentToken: 'wrong-token', retries: 3 });
    await assert.rejects(stranger.claim(), (e: unknown) => e instanceof SidecarError && e.status === 401 && !e.retryable && e.message === 'Unauthorized');
  });
});
