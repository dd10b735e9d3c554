// The watchdog: a restore whose agent went silent is failed with AGENT_OFFLINE and its command retired; a queued
// restore whose agent is gone for a day is failed with a clear reason. Run by one tick, by two schedulers with real
// leases on one MariaDB database, and by two real sidecar processes: each run is failed exactly once.
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Knex } from 'knex';
import { createApp } from '../../sidecar/app.js';
import { loadConfig } from '../../sidecar/config.js';
import { createDb } from '../../sidecar/db/connection.js';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { createDeps } from '../../sidecar/deps.js';
import { startScheduler } from '../../sidecar/jobs/scheduler.js';
import { runWatchdog, watchdogJob } from '../../sidecar/jobs/watchdog.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import { queueRestore, seedAgent, type TestAgent } from '../helpers/agent-fixtures.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/database.js';
import { startSidecar } from '../helpers/sidecar-process.js';

const HOUR = 3600_000;
const ago = (ms: number) => toDbTime(new Date(Date.now() - ms));
const TIMEOUT = 720;

/** A restore that an agent claimed and last reported `silentMs` ago. */
async function startedRestore(db: Knex, agent: TestAgent, status: 'starting' | 'running', silentMs: number): Promise<number> {
  const { runId, commandId } = await queueRestore(db, agent);
  await db('s3_cloudbackup_runs').where({ id: runId }).update({ status, started_at: ago(silentMs), updated_at: ago(silentMs) });
  await db('s3_cloudbackup_run_commands').where({ id: commandId }).update({ status: 'processing', processed_at: ago(silentMs) });
  return runId;
}

async function stateOf(db: Knex, runId: number) {
  const run = await db('s3_cloudbackup_runs').where({ id: runId }).first('status', 'error_summary', 'finished_at');
  const commands = (await db('s3_cloudbackup_run_commands').where({ run_id: runId }).select('status', 'result_message')) as { status: string; result_message: string | null }[];
  const events = (await db('s3_cloudbackup_run_events').where({ run_id: runId }).orderBy('id').select('message_id', 'params_json')) as { message_id: string; params_json: string }[];
  return { status: run.status as string, summary: run.error_summary as string | null, finished: run.finished_at !== null, commands, events };
}

const offlineEvents = (s: Awaited<ReturnType<typeof stateOf>>) => s.events.filter((e) => e.message_id === 'AGENT_OFFLINE');

for (const dialect of testDialects()) {
  describe(`Watchdog (${dialect})`, function () {
    let t: TestDatabase;
    let agent: TestAgent;
    const { log } = createMemoryLogger();

    beforeEach(async () => {
      t = await createTestDatabase(dialect);
      agent = await seedAgent(t.db, 1, 'watchdog-agent-' + 'w'.repeat(32));
    });
    afterEach(async () => t.drop());

    it('Can fail a silent starting or running restore with AGENT_OFFLINE and retire its command', async () => {
      const running = await startedRestore(t.db, agent, 'running', 2 * HOUR);
      const starting = await startedRestore(t.db, agent, 'starting', 13 * 60_000);
      const result = await runWatchdog(t.db, log, { timeoutSeconds: TIMEOUT });
      assert.deepEqual(result.offline.sort(), [running, starting].sort());
      for (const runId of [running, starting]) {
        const s = await stateOf(t.db, runId);
        assert.equal(s.status, 'failed');
        assert.ok(s.finished);
        assert.match(s.summary ?? '', /^Agent offline: no heartbeat since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z \(timeout 720 s\)$/);
        assert.deepEqual(s.commands.map((c) => [c.status, c.result_message]), [['failed', s.summary]]);
        const [event] = offlineEvents(s);
        assert.equal(offlineEvents(s).length, 1);
        assert.equal(JSON.parse(event!.params_json).watchdog_timeout_seconds, TIMEOUT);
      }
      // The client sees the catalogue's text for it.
      const app = createApp(createDeps(loadConfig({ BRIDGE_SECRET: 's'.repeat(40), DATABASE_URL: t.url }), { db: t.db, log }));
      const late = await request(app).post(`/agent/runs/${running}/heartbeat`).set(agent.headers)
        .send({ status: 'running', bytes_total: 1, bytes_done: 0, progress_pct: 0, speed_bytes_per_sec: 0, eta_seconds: null, current_item: '', disks: [] });
      assert.equal(late.status, 409, 'a heartbeat after the watchdog cannot revive the run');
      assert.equal((await stateOf(t.db, running)).status, 'failed');
    });

    it('Cannot touch a restore with a recent heartbeat, a finished one, a backup run or a queued one whose agent is around', async () => {
      const fresh = await startedRestore(t.db, agent, 'running', 60_000);
      const done = await startedRestore(t.db, agent, 'running', 2 * HOUR);
      await t.db('s3_cloudbackup_runs').where({ id: done }).update({ status: 'success' });
      const [backup] = await t.db('s3_cloudbackup_runs').insert({ job_id: agent.jobId, agent_id: agent.id, status: 'running', updated_at: ago(2 * HOUR) });
      const { runId: queued } = await queueRestore(t.db, agent);
      await t.db('s3_cloudbackup_runs').where({ id: queued }).update({ created_at: ago(3 * 24 * HOUR) });
      await t.db('s3_cloudbackup_agents').where({ id: agent.id }).update({ last_seen_at: ago(60_000) });
      const result = await runWatchdog(t.db, log, { timeoutSeconds: TIMEOUT });
      assert.deepEqual(result, { offline: [], abandoned: [] });
      assert.equal((await stateOf(t.db, fresh)).status, 'running');
      assert.equal((await stateOf(t.db, done)).status, 'success');
      assert.equal((await stateOf(t.db, Number(backup))).status, 'running');
      assert.equal((await stateOf(t.db, queued)).status, 'queued');
    });

    it('Can fail a queued restore whose agent has not been seen for a day, with a clear reason', async () => {
      const { runId: old } = await queueRestore(t.db, agent);
      const { runId: recent } = await queueRestore(t.db, agent, { target_path: 'C:\\Other' });
      await t.db('s3_cloudbackup_runs').where({ id: old }).update({ created_at: ago(25 * HOUR) });
      await t.db('s3_cloudbackup_runs').where({ id: recent }).update({ created_at: ago(HOUR) });
      await t.db('s3_cloudbackup_agents').where({ id: agent.id }).update({ last_seen_at: '2026-11-01 08:30:00' });
      const result = await runWatchdog(t.db, log, { timeoutSeconds: TIMEOUT });
      assert.deepEqual(result, { offline: [], abandoned: [old] });
      const s = await stateOf(t.db, old);
      const reason = 'The agent has not been seen since 2026-11-01T08:30:00.000Z, so the restore could not start';
      assert.deepEqual([s.status, s.summary], ['failed', reason]);
      assert.deepEqual(s.commands.map((c) => [c.status, c.result_message]), [['failed', reason]]);
      assert.deepEqual(s.events.map((e) => [e.message_id, JSON.parse(e.params_json).message]), [['HYPERV_RESTORE_FAILED', reason]]);
      assert.equal((await stateOf(t.db, recent)).status, 'queued', 'a restore queued an hour ago still waits for its agent');
      // An agent that never called in at all.
      await t.db('s3_cloudbackup_agents').where({ id: agent.id }).update({ last_seen_at: null });
      await t.db('s3_cloudbackup_runs').where({ id: recent }).update({ created_at: ago(25 * HOUR) });
      assert.deepEqual((await runWatchdog(t.db, log, { timeoutSeconds: TIMEOUT })).abandoned, [recent]);
      assert.equal((await stateOf(t.db, recent)).summary, 'The agent has never contacted the sidecar, so the restore could not start');
    });

    it('Can fail each run once when two instances tick at the same moment, without a lease', async () => {
      const runs = await Promise.all(Array.from({ length: 12 }, () => startedRestore(t.db, agent, 'running', 2 * HOUR)));
      const other = dialect === 'mariadb' ? createDb(t.url) : t.db;
      try {
        const [a, b] = await Promise.all([runWatchdog(t.db, log, { timeoutSeconds: TIMEOUT }), runWatchdog(other, log, { timeoutSeconds: TIMEOUT })]);
        assert.deepEqual([...a.offline, ...b.offline].sort((x, y) => x - y), runs.sort((x, y) => x - y));
        for (const runId of runs) assert.equal(offlineEvents(await stateOf(t.db, runId)).length, 1);
      } finally {
        if (other !== t.db) await other.destroy();
      }
    });
  });
}

describe('Watchdog on two sidecar instances sharing one MariaDB database', function () {
  this.timeout(120_000);
  let t: TestDatabase;
  let agent: TestAgent;
  before(async () => {
    t = await createTestDatabase('mariadb');
    agent = await seedAgent(t.db, 1, 'watchdog-agent-' + 'x'.repeat(32));
  });
  after(async () => t.drop());

  async function waitAllFailed(runs: number[], timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const left = await t.db('s3_cloudbackup_runs').whereIn('id', runs).whereNot('status', 'failed').count({ n: '*' });
      if (Number(left[0]!.n) === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('runs were not failed in time');
  }

  async function assertFailedOnce(runs: number[]): Promise<void> {
    for (const runId of runs) {
      const s = await stateOf(t.db, runId);
      assert.equal(s.status, 'failed');
      assert.equal(offlineEvents(s).length, 1, `run ${runId}: ${offlineEvents(s).length} AGENT_OFFLINE events`);
      assert.deepEqual(s.commands.map((c) => c.status), ['failed']);
    }
  }

  it('Can fail each run once with two schedulers and real leases (every second, 3 s)', async () => {
    const runs = await Promise.all(Array.from({ length: 10 }, () => startedRestore(t.db, agent, 'running', HOUR)));
    const dbs = [createDb(t.url), createDb(t.url)];
    const ran = [0, 0];
    const schedulers = dbs.map((db, i) => {
      const { log } = createMemoryLogger();
      const job = watchdogJob(db, log, { timeoutSeconds: TIMEOUT, schedule: '* * * * * *' });
      return startScheduler(db, log, [{ ...job, run: async () => { ran[i]!++; await job.run(); } }], `instance-${i}`);
    });
    try {
      await waitAllFailed(runs, 20_000);
      await new Promise((r) => setTimeout(r, 3000)); // more ticks on both: nothing may change again
      await assertFailedOnce(runs);
      assert.ok(ran[0]! + ran[1]! >= 3, `ticks run: ${ran.join(', ')}`);
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
      await Promise.all(dbs.map((db) => db.destroy()));
    }
  });

  it('Can fail each run once with two real sidecar processes, and stop both cleanly', async () => {
    const runs = await Promise.all(Array.from({ length: 10 }, () => startedRestore(t.db, agent, 'starting', HOUR)));
    const env = { DATABASE_URL: t.url, BRIDGE_SECRET: 's'.repeat(40), WATCHDOG_TIMEOUT_SECONDS: '60', WATCHDOG_SCHEDULE: '* * * * * *' };
    const sidecars = await Promise.all([startSidecar(env), startSidecar(env)]);
    try {
      await waitAllFailed(runs, 30_000);
      await new Promise((r) => setTimeout(r, 2500));
      await assertFailedOnce(runs);
      const lines = sidecars.map((s) => s.output().split('\n').filter((l) => l.includes('restore failed by the watchdog')).length);
      assert.equal(lines[0]! + lines[1]!, runs.length, `log lines per instance: ${lines.join(', ')}`);
    } finally {
      const codes = await Promise.all(sidecars.map((s) => s.stop()));
      assert.deepEqual(codes, [0, 0]);
    }
  });
});
