// The agent's progress reporter against a real sidecar: a disk that starts and ends between two regular beats is
// still reported as it happens, so the live page sees it running and then restored.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventOutbox } from '../../agent/run/event-outbox.js';
import { RestoreReporter } from '../../agent/run/reporter.js';
import { SidecarClient } from '../../agent/sidecar-client.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import { parseDiskProgress } from '../../sidecar/services/run-progress.js';
import { queueRestore, seedAgentWorld } from '../helpers/agent-fixtures.js';
import { createTestDatabase } from '../helpers/database.js';
import { createTestAppOn, type TestApp } from '../helpers/http.js';

describe('Agent progress reporter', function () {
  let test: TestApp;
  let server: Server;
  let reporter: RestoreReporter | null = null;

  afterEach(async () => {
    await reporter?.stop();
    await new Promise((resolve) => server.close(resolve));
    await test.drop();
  });

  it('Can report a disk\'s start and its end at once, not at the next beat', async () => {
    test = createTestAppOn(await createTestDatabase('sqlite'));
    const w = await seedAgentWorld(test.db);
    const { runId } = await queueRestore(test.db, w.a);
    server = await new Promise<Server>((resolve) => { const s = test.app.listen(0, '127.0.0.1', () => resolve(s)); });
    const client = new SidecarClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agentId: w.a.id, agentToken: w.a.token, timeoutMs: 2000, retries: 0 });
    assert.equal((await client.claim())?.run_id, runId);
    const log = createMemoryLogger().log;
    // A beat a minute: whatever reaches the sidecar within this test was sent because something changed.
    reporter = new RestoreReporter({ client, outbox: new EventOutbox(client, runId, log), runId, log, onStop: () => undefined, intervalMs: 60_000,
      disks: [{ name: 'os.vhdx', path: 'C:\\VMs\\os.vhdx' }, { name: 'data.vhdx', path: 'C:\\VMs\\data.vhdx' }] });
    const states = async () => parseDiskProgress((await test.db('s3_cloudbackup_runs').where({ id: runId }).first('progress_json')).progress_json).map((d) => `${d.status}:${d.percent}`);
    const until = async (want: string[]) => {
      for (let i = 0; i < 50 && JSON.stringify(await states()) !== JSON.stringify(want); i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await states(), want);
    };
    reporter.start();
    await until(['pending:null', 'pending:null']);
    reporter.setDisk(0, { status: 'running', bytes_total: 4096, bytes_done: 1024 });
    await until(['running:25', 'pending:null']);
    reporter.setDisk(0, { status: 'done', bytes_done: 4096 });
    reporter.setDisk(1, { status: 'running', bytes_total: 8192 });
    await until(['done:100', 'running:0']);
    // Bytes alone wait for the regular beat: only a change of state is sent at once.
    reporter.setDisk(1, { bytes_done: 4096 });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await states(), ['done:100', 'running:0']);
  });
});
