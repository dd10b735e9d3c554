import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../sidecar/app.js';
import { loadConfig } from '../../sidecar/config.js';
import { createDeps } from '../../sidecar/deps.js';
import { parseJsonColumn } from '../../sidecar/db/dialect.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import type { HeartbeatRequest } from '../../sidecar/schemas/agent.js';
import { MAX_EVENTS_PER_RUN } from '../../sidecar/services/agent-events.js';
import { clientAccountability } from '../../sidecar/services/accountability.js';
import { RunFinishedBus } from '../../sidecar/services/run-lifecycle.js';
import { cancelRun } from '../../sidecar/services/runs.js';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { seedAgentWorld, queueRestore, type AgentWorld } from '../helpers/agent-fixtures.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/database.js';

const SECRET = 's'.repeat(40);

export function beat(overrides: Partial<HeartbeatRequest> = {}): HeartbeatRequest {
  return {
    status: 'running', bytes_total: 1000, bytes_done: 250, progress_pct: 25, speed_bytes_per_sec: 50, eta_seconds: 15,
    current_item: 'Disk 1/1: disk0.vhdx',
    disks: [{ name: 'disk0.vhdx', path: 'C:\\VMs\\web01\\disk0.vhdx', bytes_total: 1000, bytes_done: 250, status: 'running' }],
    ...overrides,
  };
}

function event(id: string, message_id = 'HYPERV_RESTORE_DISK_STARTING') {
  return { id, ts: new Date().toISOString(), type: 'info', level: 'info', message_id, params: { disk_name: 'disk0.vhdx', disk_index: 1, total_disks: 1 } };
}

for (const dialect of testDialects()) {
  describe(`Agent API on ${dialect}`, function () {
    let t: TestDatabase;
    let app: Express;
    let w: AgentWorld;

    beforeEach(async () => {
      t = await createTestDatabase(dialect);
      app = createApp(createDeps(loadConfig({ BRIDGE_SECRET: SECRET, DATABASE_URL: t.url }), { db: t.db, log: createMemoryLogger().log }));
      w = await seedAgentWorld(t.db);
    });
    afterEach(async () => t.drop());

    const claim = (headers: Record<string, string>) => request(app).post('/agent/commands/claim').set(headers);

    describe('authentication', function () {
      it('Rejects a request without agent headers', async () => {
        const res = await request(app).post('/agent/commands/claim').expect(401);
        assert.deepEqual(res.body, { status: 'fail', message: 'Unauthorized' });
      });

      it('Rejects a wrong token, and another agent\'s token under this id', async () => {
        for (const token of ['nope', w.b.token]) {
          const res = await claim({ 'X-Agent-ID': String(w.a.id), 'X-Agent-Token': token }).expect(401);
          assert.deepEqual(res.body, { status: 'fail', message: 'Unauthorized' });
        }
        const res = await claim({ 'X-Agent-ID': '999999', 'X-Agent-Token': w.a.token }).expect(401);
        assert.equal(res.body.message, 'Unauthorized');
      });

      it('Rejects a disabled agent', async () => {
        const res = await claim(w.disabled.headers).expect(403);
        assert.deepEqual(res.body, { status: 'fail', message: 'Agent is disabled' });
      });

      it('Can keep last_seen_at fresh without writing it on every call', async () => {
        await claim(w.a.headers).expect(200);
        const first = await t.db('s3_cloudbackup_agents').where({ id: w.a.id }).first('last_seen_at');
        assert.ok(first.last_seen_at, 'last_seen_at set');
        await t.db('s3_cloudbackup_agents').where({ id: w.a.id }).update({ last_seen_at: '2020-01-01 00:00:10' });
        await claim(w.a.headers).expect(200);
        const refreshed = await t.db('s3_cloudbackup_agents').where({ id: w.a.id }).first('last_seen_at');
        assert.notEqual(refreshed.last_seen_at, '2020-01-01 00:00:10');
        const fresh = new Date(Date.now() - 5000).toISOString().slice(0, 19).replace('T', ' ');
        await t.db('s3_cloudbackup_agents').where({ id: w.a.id }).update({ last_seen_at: fresh });
        await claim(w.a.headers).expect(200);
        assert.equal((await t.db('s3_cloudbackup_agents').where({ id: w.a.id }).first('last_seen_at')).last_seen_at, fresh);
      });
    });

    describe('POST /agent/commands/claim', function () {
      it('Can claim its own command once, with the payload, moving the run to starting', async () => {
        const q = await queueRestore(t.db, w.a);
        const res = await claim(w.a.headers).expect(200);
        assert.equal(res.body.status, 'success');
        assert.equal(res.body.command.command_id, q.commandId);
        assert.equal(res.body.command.run_id, q.runId);
        assert.equal(res.body.command.type, 'hypervrestore_restore');
        assert.equal(res.body.command.payload.target_path, 'C:\\Restored');
        assert.equal((await claim(w.a.headers).expect(200)).body.command, null);
        const run = await t.db('s3_cloudbackup_runs').where({ id: q.runId }).first();
        assert.equal(run.status, 'starting');
        assert.ok(run.started_at);
        assert.equal((await t.db('s3_cloudbackup_run_commands').where({ id: q.commandId }).first()).status, 'processing');
      });

      it('Cannot see another agent\'s commands, even of the same client', async () => {
        await queueRestore(t.db, w.a);
        assert.equal((await claim(w.b.headers).expect(200)).body.command, null);
        assert.equal((await claim(w.c.headers).expect(200)).body.command, null);
        assert.notEqual((await claim(w.a.headers).expect(200)).body.command, null);
      });

      it('Cannot claim the command of a run that already ended', async () => {
        const q = await queueRestore(t.db, w.a);
        await t.db('s3_cloudbackup_runs').where({ id: q.runId }).update({ status: 'cancelled' });
        assert.equal((await claim(w.a.headers).expect(200)).body.command, null);
      });
    });

    describe('run reports', function () {
      let runId: number;
      beforeEach(async () => {
        runId = (await queueRestore(t.db, w.a)).runId;
        await claim(w.a.headers).expect(200);
      });

      it('Can record a heartbeat with progress, and learn that cancel was requested', async () => {
        const res = await request(app).post(`/agent/runs/${runId}/heartbeat`).set(w.a.headers).send(beat()).expect(200);
        assert.deepEqual(res.body, { status: 'success', run_status: 'running', cancel_requested: false });
        const run = await t.db('s3_cloudbackup_runs').where({ id: runId }).first();
        assert.equal(run.status, 'running');
        assert.deepEqual([Number(run.bytes_total), Number(run.bytes_transferred), Number(run.progress_pct), Number(run.speed_bytes_per_sec), Number(run.eta_seconds)], [1000, 250, 25, 50, 15]);
        assert.equal(run.current_item, 'Disk 1/1: disk0.vhdx');
        assert.ok(run.updated_at);
        assert.equal(parseJsonColumn<{ disks: { status: string }[] }>(run.progress_json, { disks: [] }).disks[0]?.status, 'running');
        await t.db('s3_cloudbackup_runs').where({ id: runId }).update({ cancel_requested: 1 });
        const again = await request(app).post(`/agent/runs/${runId}/heartbeat`).set(w.a.headers).send(beat()).expect(200);
        assert.equal(again.body.cancel_requested, true);
        assert.equal((await request(app).get(`/agent/runs/${runId}`).set(w.a.headers).expect(200)).body.cancel_requested, true);
      });

      it('Rejects bad heartbeats with a message naming the field', async () => {
        const cases: [unknown, string][] = [
          [{ ...beat(), progress_pct: 150 }, 'body.progress_pct must be <= 100'],
          [{ ...beat(), status: 'success' }, 'body.status must be one of starting, running'],
          [{ ...beat(), extra: 1 }, 'body.extra is not allowed'],
          [{ ...beat(), bytes_done: '5' }, 'body.bytes_done must be integer'],
          [(({ current_item: _c, ...rest }) => rest)(beat()), 'body.current_item is required'],
        ];
        for (const [body, message] of cases) {
          const res = await request(app).post(`/agent/runs/${runId}/heartbeat`).set(w.a.headers).send(body as object).expect(400);
          assert.deepEqual(res.body, { status: 'fail', message });
        }
        const run = await t.db('s3_cloudbackup_runs').where({ id: runId }).first();
        assert.equal(run.status, 'starting', 'a refused heartbeat changes nothing');
      });

      it('Cannot touch another agent\'s run: it answers like a missing one', async () => {
        for (const other of [w.b, w.c]) {
          const calls = [
            request(app).post(`/agent/runs/${runId}/heartbeat`).set(other.headers).send(beat()),
            request(app).post(`/agent/runs/${runId}/events`).set(other.headers).send({ events: [event('evt-00000001')] }),
            request(app).post(`/agent/runs/${runId}/finish`).set(other.headers).send({ status: 'success', message: 'x' }),
            request(app).get(`/agent/runs/${runId}`).set(other.headers),
          ];
          for (const res of await Promise.all(calls)) assert.deepEqual([res.status, res.body], [404, { status: 'fail', message: 'Run not found' }]);
        }
        const missing = await request(app).post('/agent/runs/999999/heartbeat').set(w.a.headers).send(beat()).expect(404);
        assert.deepEqual(missing.body, { status: 'fail', message: 'Run not found' });
        const run = await t.db('s3_cloudbackup_runs').where({ id: runId }).first();
        assert.equal(run.status, 'starting');
        assert.equal((await t.db('s3_cloudbackup_run_events').where({ run_id: runId })).length, 0);
      });

      it('Can store a retried event batch once', async () => {
        const batch = { events: [event('evt-00000001'), event('evt-00000002', 'HYPERV_RESTORE_DISK_COMPLETE')] };
        const first = await request(app).post(`/agent/runs/${runId}/events`).set(w.a.headers).send(batch).expect(200);
        assert.deepEqual(first.body, { status: 'success', stored: 2, duplicates: 0 });
        const retry = await request(app).post(`/agent/runs/${runId}/events`).set(w.a.headers).send(batch).expect(200);
        assert.deepEqual(retry.body, { status: 'success', stored: 0, duplicates: 2 });
        const rows = await t.db('s3_cloudbackup_run_events').where({ run_id: runId }).orderBy('id');
        assert.deepEqual(rows.map((r) => r.message_id), ['HYPERV_RESTORE_DISK_STARTING', 'HYPERV_RESTORE_DISK_COMPLETE']);
        assert.deepEqual(JSON.parse(rows[0].params_json), { disk_name: 'disk0.vhdx', disk_index: 1, total_disks: 1 });
      });

      it('Rejects events with unknown message ids or malformed params', async () => {
        const bad = await request(app).post(`/agent/runs/${runId}/events`).set(w.a.headers).send({ events: [event('evt-00000001', 'DROP_TABLES')] }).expect(400);
        assert.match(bad.body.message, /^body\.events\.0\.message_id must be one of HYPERV_RESTORE_STARTING, /);
        const nested = { ...event('evt-00000002'), params: { disk_name: { deep: true } } };
        const res = await request(app).post(`/agent/runs/${runId}/events`).set(w.a.headers).send({ events: [nested] }).expect(400);
        assert.equal(res.body.message, 'body.events.0.params.disk_name must be string');
        const empty = await request(app).post(`/agent/runs/${runId}/events`).set(w.a.headers).send({ events: [] }).expect(400);
        assert.equal(empty.body.message, 'body.events must NOT have fewer than 1 items');
        assert.equal((await t.db('s3_cloudbackup_run_events').where({ run_id: runId })).length, 0);
      });

      it('Can finish a run once; status never moves back', async () => {
        await request(app).post(`/agent/runs/${runId}/heartbeat`).set(w.a.headers).send(beat()).expect(200);
        const done = await request(app).post(`/agent/runs/${runId}/finish`).set(w.a.headers).send({ status: 'warning', message: '1 of 2 disks restored' }).expect(200);
        assert.deepEqual(done.body, { status: 'success', run_status: 'warning' });
        const again = await request(app).post(`/agent/runs/${runId}/finish`).set(w.a.headers).send({ status: 'warning', message: '1 of 2 disks restored' }).expect(200);
        assert.equal(again.body.run_status, 'warning');
        const other = await request(app).post(`/agent/runs/${runId}/finish`).set(w.a.headers).send({ status: 'success', message: 'x' }).expect(409);
        assert.deepEqual(other.body, { status: 'fail', message: 'Run is already finished (warning)' });
        const late = await request(app).post(`/agent/runs/${runId}/heartbeat`).set(w.a.headers).send(beat({ status: 'starting' })).expect(409);
        assert.equal(late.body.message, 'Run is already finished (warning)');
        const run = await t.db('s3_cloudbackup_runs').where({ id: runId }).first();
        assert.equal(run.status, 'warning');
        assert.equal(run.error_summary, '1 of 2 disks restored');
        assert.ok(run.finished_at);
        const command = await t.db('s3_cloudbackup_run_commands').where({ run_id: runId }).first();
        assert.deepEqual([command.status, command.result_message], ['completed', '1 of 2 disks restored']);
      });

      it('Can report cancelled, which fails the command with a clear result message', async () => {
        await request(app).post(`/agent/runs/${runId}/finish`).set(w.a.headers).send({ status: 'cancelled', message: 'Cancelled by the user' }).expect(200);
        const command = await t.db('s3_cloudbackup_run_commands').where({ run_id: runId }).first();
        assert.deepEqual([command.status, command.result_message], ['failed', 'Cancelled: Cancelled by the user']);
      });

      it('Rejects a finish with an unknown status', async () => {
        const res = await request(app).post(`/agent/runs/${runId}/finish`).set(w.a.headers).send({ status: 'partial_success', message: '' }).expect(400);
        assert.equal(res.body.message, 'body.status must be one of success, warning, failed, cancelled');
      });
    });

    describe('what an agent is trusted with', function () {
      let runId: number;
      const disk = (name: string, status: 'done' | 'failed', bytes = 0) => ({ name, path: `C:\\VMs\\web01\\${name}`, bytes_total: 1000, bytes_done: bytes, status });
      const progress = (disks: ReturnType<typeof disk>[]) => {
        const report: Partial<HeartbeatRequest> = { ...beat(), disks, bytes_total: 2000, bytes_done: 0, progress_pct: 100 };
        delete report.status; // a finish's progress has no status of its own
        return report;
      };
      const post = (path: string, body: object) => request(app).post(`/agent/runs/${runId}${path}`).set(w.a.headers).send(body);
      beforeEach(async () => {
        runId = (await queueRestore(t.db, w.a)).runId;
        await claim(w.a.headers).expect(200);
        await post('/heartbeat', beat()).expect(200);
      });

      it('Cannot finish with success when every reported disk failed (failed) or some did (warning)', async () => {
        const all = await post('/finish', { status: 'success', message: 'All 2 disks restored', progress: progress([disk('a.vhdx', 'failed'), disk('b.vhdx', 'failed')]) }).expect(200);
        assert.equal(all.body.run_status, 'failed');
        const run = await t.db('s3_cloudbackup_runs').where({ id: runId }).first();
        assert.deepEqual([run.status, run.error_summary], ['failed', 'None of the 2 disks was restored (a.vhdx, b.vhdx)']);
        assert.equal((await t.db('s3_cloudbackup_run_commands').where({ run_id: runId }).first()).status, 'failed');
        await post('/finish', { status: 'success', message: 'All 2 disks restored', progress: progress([disk('a.vhdx', 'failed'), disk('b.vhdx', 'failed')]) }).expect(200);

        const second = (await queueRestore(t.db, w.a)).runId;
        await claim(w.a.headers).expect(200);
        runId = second;
        await post('/heartbeat', beat()).expect(200);
        const some = await post('/finish', { status: 'success', message: 'All 2 disks restored', progress: progress([disk('a.vhdx', 'done', 1000), disk('b.vhdx', 'failed')]) }).expect(200);
        assert.equal(some.body.run_status, 'warning');
        const row = await t.db('s3_cloudbackup_runs').where({ id: second }).first();
        assert.deepEqual([row.status, row.error_summary], ['warning', '1 of 2 disks restored; not restored: b.vhdx']);
      });

      it('Rejects events on a finished run with 409, storing nothing', async () => {
        await post('/finish', { status: 'failed', message: 'kopia failed' }).expect(200);
        const before = await t.db('s3_cloudbackup_run_events').where({ run_id: runId });
        const res = await post('/events', { events: [event('evt-late-0001')] }).expect(409);
        assert.deepEqual(res.body, { status: 'fail', message: 'Run is already finished (failed)' });
        assert.deepEqual(await t.db('s3_cloudbackup_run_events').where({ run_id: runId }), before);
      });

      it('Cannot read, heartbeat or post events to a run cancelled before this agent claimed it (404)', async () => {
        const q = await queueRestore(t.db, w.a);
        await cancelRun(t.db, clientAccountability(w.a.clientId), { id: q.runId }, new RunFinishedBus());
        assert.equal((await claim(w.a.headers).expect(200)).body.command, null);
        const calls = [
          request(app).get(`/agent/runs/${q.runId}`).set(w.a.headers),
          request(app).post(`/agent/runs/${q.runId}/events`).set(w.a.headers).send({ events: [event('evt-00000009', 'HYPERV_RESTORE_DISK_COMPLETE')] }),
          request(app).post(`/agent/runs/${q.runId}/heartbeat`).set(w.a.headers).send(beat()),
          request(app).post(`/agent/runs/${q.runId}/finish`).set(w.a.headers).send({ status: 'success', message: 'completed: 2/2 disks restored' }),
        ];
        for (const res of await Promise.all(calls)) assert.deepEqual([res.status, res.body], [404, { status: 'fail', message: 'Run not found' }]);
        const run = await t.db('s3_cloudbackup_runs').where({ id: q.runId }).first();
        assert.equal(run.status, 'cancelled');
        assert.deepEqual((await t.db('s3_cloudbackup_run_events').where({ run_id: q.runId })).map((e) => e.message_id), ['HYPERV_RESTORE_CANCELLED']);
      });

      it('Can clamp impossible progress: never past the total, never back from what was recorded', async () => {
        const stored = async () => {
          const run = await t.db('s3_cloudbackup_runs').where({ id: runId }).first();
          const disks = parseJsonColumn<{ disks: { bytes_done: number; status: string }[] }>(run.progress_json, { disks: [] }).disks;
          return [Number(run.bytes_transferred), Number(run.progress_pct), disks[0]?.bytes_done, disks[0]?.status];
        };
        const over = beat({ bytes_done: 5000, progress_pct: 50 });
        over.disks = [{ ...over.disks[0]!, bytes_done: 4000 }];
        await post('/heartbeat', over).expect(200);
        assert.deepEqual(await stored(), [1000, 50, 1000, 'running']);
        const back = beat({ bytes_done: 100, progress_pct: 10 });
        back.disks = [{ ...back.disks[0]!, bytes_done: 100 }];
        await post('/heartbeat', back).expect(200);
        assert.deepEqual(await stored(), [1000, 50, 1000, 'running'], 'progress does not go backwards');
        const done = beat({ bytes_done: 1000, progress_pct: 100 });
        done.disks = [{ ...done.disks[0]!, bytes_done: 1000, status: 'done' }];
        await post('/heartbeat', done).expect(200);
        await post('/heartbeat', beat()).expect(200);
        assert.deepEqual(await stored(), [1000, 100, 1000, 'done'], 'a finished disk stays finished');
      });

      it('Rejects events past the per-minute and the per-run caps with 429', async () => {
        const limited = createApp(createDeps(loadConfig({ BRIDGE_SECRET: SECRET, DATABASE_URL: t.url, RATE_LIMIT_AGENT_EVENTS_PER_MINUTE: '150' }), { db: t.db, log: createMemoryLogger().log }));
        const batch = (from: number) => ({ events: Array.from({ length: 100 }, (_, i) => event(`evt-minute-${from + i}`, 'HYPERV_RESTORE_NOTICE')) });
        await request(limited).post(`/agent/runs/${runId}/events`).set(w.a.headers).send(batch(0)).expect(200);
        const over = await request(limited).post(`/agent/runs/${runId}/events`).set(w.a.headers).send(batch(100)).expect(429);
        assert.deepEqual(over.body, { status: 'fail', message: 'Too many requests' });
        assert.ok(Number(over.headers['retry-after']) >= 1);
        assert.equal((await t.db('s3_cloudbackup_run_events').where({ run_id: runId })).length, 100);

        const keys = Array.from({ length: MAX_EVENTS_PER_RUN - 100 - 1 }, (_, i) => ({ run_id: runId, event_key: `evt-filler-${i}`, created_at: toDbTime() }));
        for (let i = 0; i < keys.length; i += 500) await t.db('s3_hyperv_restore_event_keys').insert(keys.slice(i, i + 500));
        await post('/events', { events: [event('evt-last-0001')] }).expect(200);
        const full = await post('/events', { events: [event('evt-past-0001')] }).expect(429);
        assert.deepEqual(full.body, { status: 'fail', message: `This run has reached its limit of ${MAX_EVENTS_PER_RUN} events` });
        assert.equal((await t.db('s3_cloudbackup_run_events').where({ run_id: runId })).length, 101);
      });
    });
  });
}
