// `npm run bench:api`: the client API's backup-points listing under 50 concurrent signed requests (autocannon), on
// a MariaDB database with 1,000 clients, 5,000 VMs and 10,000 points on one VM in chains of up to 30.
// Flags (or env): --duration (BENCH_DURATION, s per scenario, 20), --connections (BENCH_CONNECTIONS, 50),
// --warmup (BENCH_WARMUP, s before each scenario, not counted, 3), --scenarios (BENCH_SCENARIOS, first,random,full,floor).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { sidecarDatabaseUrl, withBenchDatabase } from '../lib/bench-database.js';
import { bridgeHeaders } from '../lib/bridge-signer.js';
import { cpuPercent, loadAverage, sampleProc, watchRss } from '../lib/proc-stats.js';
import { choiceListFlag, numberFlag, printJson, printTable, progress } from '../lib/report.js';
import { startBenchSidecar, type BenchSidecar } from '../lib/sidecar-runner.js';
import { seedApi, type ApiSeed } from './seed.js';

const DURATION = numberFlag('duration', 'BENCH_DURATION', 20);
const CONNECTIONS = numberFlag('connections', 'BENCH_CONNECTIONS', 50);
const WARMUP = numberFlag('warmup', 'BENCH_WARMUP', 3);
const SCENARIOS = choiceListFlag('scenarios', 'BENCH_SCENARIOS', ['first', 'random', 'full', 'floor'] as const);
const SECRET = randomBytes(24).toString('hex');
const SPEC = { clients: 1000, vmsPerClient: 5, bigVmPoints: 10_000, chainLength: 30 };

interface Scenario {
  id: (typeof SCENARIOS)[number];
  name: string;
  path: () => string;
}

interface ScenarioResult {
  name: string;
  result: Result;
  queriesPerRequest: number;
  cpu: number;
  peakRss: number;
}

/** The bridge's cURL asks for every encoding it can decode (CURLOPT_ENCODING ''); so does every benchmark request. */
const ACCEPT_ENCODING = { 'Accept-Encoding': 'gzip, deflate' };

/** A signed GET's answer as it crosses the wire: status, Content-Encoding and the undecoded bytes. */
function getRaw(sidecar: BenchSidecar, clientId: number, path: string): Promise<{ status: number; encoding: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(sidecar.url + path, { headers: { ...bridgeHeaders(SECRET, 'GET', path, clientId), ...ACCEPT_ENCODING } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: String(res.headers['content-encoding'] ?? 'identity'), bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function getJson(sidecar: BenchSidecar, clientId: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(sidecar.url + path, { headers: bridgeHeaders(SECRET, 'GET', path, clientId) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** SQL statements of single requests of different page sizes and depths: the count must not depend on them. */
async function queriesPerSingleRequest(sidecar: BenchSidecar, seed: ApiSeed): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const query of ['limit=1', 'limit=50', 'limit=200', 'limit=200&offset=9000', 'limit=50&type=Full']) {
    const before = await sidecar.queryCount();
    const { status, body } = await getJson(sidecar, seed.clientId, `/api/hyperv/backup-points?vm_id=${seed.vmId}&${query}`);
    if (status !== 200) throw new Error(`listing answered ${status}: ${JSON.stringify(body)}`);
    out[query] = (await sidecar.queryCount()) - before;
  }
  return out;
}

async function runScenario(sidecar: BenchSidecar, seed: ApiSeed, scenario: Scenario): Promise<ScenarioResult> {
  progress(`${scenario.name}: ${CONNECTIONS} connections for ${DURATION} s`);
  const queriesBefore = await sidecar.queryCount();
  const procBefore = sampleProc(sidecar.pid);
  const rss = watchRss(sidecar.pid);
  const result = await autocannon({
    url: sidecar.url, connections: CONNECTIONS, duration: DURATION, timeout: 10,
    // JIT compilation and the first builds are not what a running sidecar's clients see: not counted.
    warmup: { connections: CONNECTIONS, duration: WARMUP },
    requests: [{
      method: 'GET',
      setupRequest: (req) => {
        const path = scenario.path();
        return { ...req, path, headers: { ...bridgeHeaders(SECRET, 'GET', path, seed.clientId), ...ACCEPT_ENCODING } };
      },
    }],
  });
  const procAfter = sampleProc(sidecar.pid);
  const queries = (await sidecar.queryCount()) - queriesBefore;
  return { name: scenario.name, result, queriesPerRequest: queries / Math.max(1, result.requests.sent), cpu: cpuPercent(procBefore, procAfter), peakRss: rss.stop() };
}

/** The first page's bytes as the sidecar sent them, from a bare express route (no database, signature or logic). */
async function runFloor(wire: { encoding: string; bytes: Buffer }, seed: ApiSeed): Promise<ScenarioResult> {
  const dir = await mkdtemp(join(tmpdir(), 'hvr-bench-floor-'));
  const file = join(dir, 'first-page.json');
  await writeFile(file, wire.bytes);
  const floor = await startBenchSidecar({ BENCH_FLOOR_BODY: file, BENCH_FLOOR_ENCODING: wire.encoding });
  try {
    return await runScenario(floor, seed, { id: 'floor', name: 'floor: same bytes on the wire, bare express', path: () => '/floor' });
  } finally {
    await floor.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const report = await withBenchDatabase(async (database) => {
    const started = Date.now();
    const seed = await seedApi(database.db, SPEC);
    const seedSeconds = (Date.now() - started) / 1000;
    progress(`seeded ${SPEC.clients} clients, ${SPEC.clients * SPEC.vmsPerClient} VMs, ${seed.points} points on VM ${seed.vmId} in ${seedSeconds.toFixed(1)} s`);
    const { url, transport } = await sidecarDatabaseUrl(database);
    const sidecar = await startBenchSidecar({ DATABASE_URL: url, BRIDGE_SECRET: SECRET });
    try {
      const perRequest = await queriesPerSingleRequest(sidecar, seed);
      const base = `/api/hyperv/backup-points?vm_id=${seed.vmId}`;
      const scenarios: Scenario[] = [
        { id: 'first', name: 'first page (limit 50)', path: () => base },
        { id: 'random', name: 'random page (limit 50, any offset)', path: () => `${base}&offset=${50 * Math.floor(Math.random() * (seed.points / 50))}` },
        { id: 'full', name: 'Full points only (limit 50)', path: () => `${base}&type=Full` },
      ];
      const results: ScenarioResult[] = [];
      for (const scenario of scenarios.filter((s) => SCENARIOS.includes(s.id))) results.push(await runScenario(sidecar, seed, scenario));
      const first = await getJson(sidecar, seed.clientId, base);
      const wire = await getRaw(sidecar, seed.clientId, base);
      if (wire.status !== 200) throw new Error(`first page answered ${wire.status}`);
      if (SCENARIOS.includes('floor')) results.push(await runFloor(wire, seed));
      return { seedSeconds, perRequest, results, transport, firstPageBytes: JSON.stringify(first.body).length, wireBytes: wire.bytes.length, wireEncoding: wire.encoding };
    } finally {
      await sidecar.stop();
    }
  });
  const loadAfter = loadAverage();
  printTable(`GET /api/hyperv/backup-points, ${CONNECTIONS} concurrent signed requests, ${DURATION} s each, database over ${report.transport} (load before ${loadBefore}, after ${loadAfter})`,
    ['scenario', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors', 'SQL/request', 'sidecar CPU %', 'sidecar RSS MB'],
    report.results.map((r) => [r.name, r.result.requests.total, r.result.requests.average, r.result.latency.p50, r.result.latency.p99, r.result.latency.max,
      r.result.non2xx, r.result.errors, r.queriesPerRequest, r.cpu, r.peakRss / 1024 / 1024]));
  console.log(`first page: ${(report.firstPageBytes / 1024).toFixed(0)} KiB of JSON (50 points, each with its restore chain), ${(report.wireBytes / 1024).toFixed(1)} KiB on the wire (${report.wireEncoding})`);
  console.log(`SQL statements of single requests: ${Object.entries(report.perRequest).map(([q, n]) => `${q}: ${n}`).join(', ')}`);
  printJson({
    bench: 'api', connections: CONNECTIONS, durationSeconds: DURATION, data: SPEC, seedSeconds: report.seedSeconds, firstPageBytes: report.firstPageBytes, firstPageWireBytes: report.wireBytes, firstPageEncoding: report.wireEncoding, databaseTransport: report.transport, loadBefore, loadAfter,
    queriesPerSingleRequest: report.perRequest,
    scenarios: report.results.map((r) => ({
      name: r.name, requests: r.result.requests.total, requestsPerSecond: r.result.requests.average, p50Ms: r.result.latency.p50, p99Ms: r.result.latency.p99,
      maxMs: r.result.latency.max, non2xx: r.result.non2xx, errors: r.result.errors, queriesPerRequest: r.queriesPerRequest, sidecarCpuPercent: r.cpu,
      sidecarPeakRssBytes: r.peakRss, p99TargetMet: r.result.latency.p99 < 50,
    })),
  });
}

await main();
