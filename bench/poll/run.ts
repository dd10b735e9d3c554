// `npm run bench:poll`: 2,000 agents polling the agent API every 5 s and 50 restores reporting progress every 2 s
// (paced: each agent at its own moment of the period, loopback only; see bench/lib/paced-load.ts), while restore commands are queued and raced for. Prints poll
// latency, whether any command was handed out twice, and the sidecar's CPU and RSS (from /proc).
// Flags (or env): --duration (BENCH_DURATION, 60 s), --agents (BENCH_AGENTS, 2000), --restores (BENCH_RESTORES, 50),
// --commands (BENCH_COMMANDS_PER_SECOND, 4), --racers (BENCH_RACERS, 4), --history (BENCH_HISTORY, 20000 finished commands).
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { HeartbeatRequest } from '../../sidecar/schemas/agent.js';
import { sidecarDatabaseUrl, withBenchDatabase } from '../lib/bench-database.js';
import { pacedLoad, type PacedLoadResult } from '../lib/paced-load.js';
import { cpuPercent, loadAverage, sampleProc, watchRss } from '../lib/proc-stats.js';
import { numberFlag, printJson, printTable, progress } from '../lib/report.js';
import { startBenchSidecar, type BenchSidecar } from '../lib/sidecar-runner.js';
import { checkClaims, type ClaimCheck } from './check-claims.js';
import { agentHeaders, claimOnce, startQueueing, type Claim } from './command-queue.js';
import { seedPoll, type PollSeed, type RunningRestore } from './seed.js';

const DURATION = numberFlag('duration', 'BENCH_DURATION', 60);
const AGENTS = numberFlag('agents', 'BENCH_AGENTS', 2000);
const RESTORES = numberFlag('restores', 'BENCH_RESTORES', 50);
const COMMANDS_PER_SECOND = numberFlag('commands', 'BENCH_COMMANDS_PER_SECOND', 4);
const RACERS = numberFlag('racers', 'BENCH_RACERS', 4);
const HISTORY = numberFlag('history', 'BENCH_HISTORY', 20_000);
const POLL_SECONDS = 5;
const PROGRESS_SECONDS = 2;
const DISK_BYTES = 128 * 1024 ** 3;

function pollLoad(url: string, seed: PollSeed, claims: Claim[]): Promise<PacedLoadResult> {
  return pacedLoad({
    url, durationSeconds: DURATION, clients: seed.agents.length, periodMs: POLL_SECONDS * 1000, maxSockets: 200, timeoutMs: 10_000,
    request: (client) => ({ method: 'POST', path: '/agent/commands/claim', headers: agentHeaders(seed.agents[client]!) }),
    onResponse: (client, status, body) => {
      if (status !== 200) return;
      const command = (JSON.parse(body) as { command: { command_id: number } | null }).command;
      if (command) claims.push({ commandId: command.command_id, agentId: seed.agents[client]!.id, via: 'poll' });
    },
  });
}

function heartbeat(restore: RunningRestore, beat: number): HeartbeatRequest {
  const done = Math.min(DISK_BYTES, beat * 200 * 1024 ** 2);
  const name = restore.diskPath.split('\\').pop() ?? 'disk.vhdx';
  return {
    status: 'running', bytes_total: DISK_BYTES, bytes_done: done, progress_pct: Math.round((done / DISK_BYTES) * 10000) / 100,
    speed_bytes_per_sec: 100 * 1024 ** 2, eta_seconds: Math.round((DISK_BYTES - done) / (100 * 1024 ** 2)), current_item: `Disk 1/1: ${name}`,
    disks: [{ name, path: restore.diskPath, bytes_total: DISK_BYTES, bytes_done: done, status: 'running' }],
  };
}

function progressLoad(url: string, seed: PollSeed): Promise<PacedLoadResult> {
  return pacedLoad({
    url, durationSeconds: DURATION, clients: seed.restores.length, periodMs: PROGRESS_SECONDS * 1000, maxSockets: seed.restores.length, timeoutMs: 10_000,
    request: (client, round) => {
      const restore = seed.restores[client]!;
      return { method: 'POST', path: `/agent/runs/${restore.runId}/heartbeat`, headers: agentHeaders(restore.agent), body: JSON.stringify(heartbeat(restore, round + 1)) };
    },
  });
}

/** Claims what the run left pending (queued in its last seconds), so every queued command is accounted for. */
async function sweep(url: string, seed: PollSeed, owners: number[], claims: Claim[]): Promise<void> {
  const byId = new Map(seed.agents.map((a) => [a.id, a]));
  for (const id of new Set(owners)) {
    while (await claimOnce(url, byId.get(id)!, 'sweep', claims)) { /* until the agent's queue is empty */ }
  }
}

async function progressRecorded(db: Knex, seed: PollSeed): Promise<number> {
  const [row] = (await db('s3_cloudbackup_runs').whereIn('id', seed.restores.map((r) => r.runId)).where('bytes_transferred', '>', 0).count({ n: '*' })) as { n: number | string }[];
  return Number(row?.n ?? 0);
}

interface Measured { poll: PacedLoadResult; progress: PacedLoadResult; claims: ClaimCheck; cpu: number; peakRss: number; rssAfter: number; withProgress: number }

async function measure(db: Knex, sidecar: BenchSidecar, seed: PollSeed): Promise<Measured> {
  const claims: Claim[] = [];
  const before = sampleProc(sidecar.pid);
  const rss = watchRss(sidecar.pid);
  const queue = startQueueing({ db, url: sidecar.url, agents: seed.agents, perSecond: COMMANDS_PER_SECOND, racers: RACERS, claims });
  const [poll, progressResult] = await Promise.all([pollLoad(sidecar.url, seed, claims), progressLoad(sidecar.url, seed)]);
  const after = sampleProc(sidecar.pid);
  const queued = await queue.stop();
  const peakRss = rss.stop();
  const claimedIds = new Set(claims.map((c) => c.commandId));
  await sweep(sidecar.url, seed, queued.filter((q) => !claimedIds.has(q.commandId)).map((q) => q.agentId), claims);
  return { poll, progress: progressResult, claims: await checkClaims(db, queued, claims), cpu: cpuPercent(before, after), peakRss, rssAfter: after.rssBytes, withProgress: await progressRecorded(db, seed) };
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const m = await withBenchDatabase(async (database) => {
    const seed = await seedPoll(database.db, { clients: Math.ceil(AGENTS / 2), agentsPerClient: 2, restores: RESTORES, history: HISTORY });
    seed.agents.splice(AGENTS);
    progress(`seeded ${seed.agents.length} agents and ${seed.restores.length} running restores; ${DURATION} s run`);
    const { url, transport } = await sidecarDatabaseUrl(database);
    const sidecar = await startBenchSidecar({ DATABASE_URL: url, BRIDGE_SECRET: randomBytes(24).toString('hex') });
    try {
      return { ...(await measure(database.db, sidecar, seed)), transport };
    } finally {
      await sidecar.stop();
    }
  });
  const loadAfter = loadAverage();
  const row = (name: string, r: PacedLoadResult) => [name, r.requests, r.requestsPerSecond, r.p50Ms, r.p99Ms, r.maxMs, r.non2xx, r.errors];
  printTable(`Agent API, ${AGENTS} agents polling every ${POLL_SECONDS} s + ${RESTORES} restores reporting every ${PROGRESS_SECONDS} s, ${DURATION} s, database over ${m.transport} (load before ${loadBefore}, after ${loadAfter})`,
    ['traffic', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors'], [row('POST /agent/commands/claim', m.poll), row('POST /agent/runs/:run/heartbeat', m.progress)]);
  const c = m.claims;
  console.log(`commands: ${c.queued} queued, ${c.claimed} claimed (poll ${c.byPoll}, racing claims ${c.byRace}, final sweep ${c.bySweep}); claimed twice: ${c.claimedTwice}; to a wrong agent: ${c.wrongAgent}; answer cut off at the end of the run: ${c.answerLost}; never claimed: ${c.neverClaimed}; database disagrees: ${c.dbDisagrees}`);
  console.log(`sidecar: CPU ${m.cpu.toFixed(1)} % of one core (average), RSS peak ${(m.peakRss / 1024 ** 2).toFixed(1)} MB, at end ${(m.rssAfter / 1024 ** 2).toFixed(1)} MB; restores with progress stored: ${m.withProgress}/${RESTORES}`);
  printJson({
    bench: 'poll', durationSeconds: DURATION, agents: AGENTS, restores: RESTORES, commandsPerSecond: COMMANDS_PER_SECOND, racers: RACERS, databaseTransport: m.transport, loadBefore, loadAfter,
    poll: m.poll, progress: m.progress,
    claims: c, sidecar: { cpuPercent: m.cpu, peakRssBytes: m.peakRss, rssBytesAtEnd: m.rssAfter }, restoresWithProgress: m.withProgress,
    p99TargetMet: m.poll.p99Ms < 100, noDoubleClaims: c.claimedTwice === 0 && c.wrongAgent === 0 && c.dbDisagrees === 0 && c.neverClaimed === 0,
  });
}

await main();
