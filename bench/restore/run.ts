// `npm run bench:restore`: restore speed of the agent's engine against `kopia snapshot restore` and `cp`, on an S3
// repository (versitygw) reached through the project's latency-injecting proxy. A disk of --size MiB (default
// 2048), 70% random and 30% zeros, backed up as a Full plus 5 Incrementals that each change 5%; the last point is
// restored. For each --latency (ms each way per request; default "25,0,100") the four are run --rounds times,
// alternating (ours, kopia-lib, kopia, cp, ours, ...), so a change of load on the machine hits all alike. `--order
// ascending` runs ours in the Windows write order (every byte in file order, zero chunks written, no holes) here.
// `--engine adaptive,fixed` runs ours twice per round: reads in flight measured (the default) and fixed at
// --parallelism, as before the controller (agent/engine/read-concurrency.ts). `kopia-lib` is kopia's own Go library
// reading the same chunk map in-process with --parallelism workers (bench/restore/kopia-reader): the floor issue 19
// measures ours against. `--methods ours,kopia-lib` (default all four) skips the others, e.g. the slow kopia CLI.
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createTestRepository, kopiaPath, seededBytes, sha256File, writeDisk, type DiskLayout, type TestRepository } from '../../test/helpers/kopia.js';
import { projectPath } from '../../test/helpers/paths.js';
import { startVersityGw } from '../../test/helpers/versitygw.js';
import { loadAverage } from '../lib/proc-stats.js';
import { choiceListFlag, numberFlag, numberListFlag, printJson, printTable, progress } from '../lib/report.js';
import { chunkCensus, type ChunkCensus } from './chunk-census.js';
import { ensureKopiaReader, restoreWithKopiaLibrary } from './kopia-lib.js';
import { startLatencyProxy } from './latency-proxy.js';
import { allocatedBytes, cpuOf, mb, sampleAgentRss, sampleRss } from './measure.js';

const MiB = 1024 * 1024;
const SIZE_MIB = numberFlag('size', 'BENCH_SIZE_MIB', 2048);
const LATENCIES_MS = numberListFlag('latency', 'BENCH_LATENCY_MS', [25, 0, 100]);
const ROUNDS = Math.max(1, numberFlag('rounds', 'BENCH_ROUNDS', 2));
const PARALLELISM = numberFlag('parallelism', 'BENCH_PARALLELISM', 16);
const ORDERS = choiceListFlag('order', 'BENCH_ORDER', ['sparse', 'ascending'] as const, ['sparse']);
if (ORDERS.length !== 1) throw new Error('--order (BENCH_ORDER) takes one of sparse, ascending');
const ORDER = ORDERS[0]!;
const ENGINES = choiceListFlag('engine', 'BENCH_ENGINE', ['adaptive', 'fixed'] as const, ['adaptive']);
/** `ours` stands for every engine of --engine. */
const METHODS = choiceListFlag('methods', 'BENCH_METHODS', ['ours', 'kopia-lib', 'kopia', 'cp'] as const);
const runs = (method: (typeof METHODS)[number]) => METHODS.includes(method);
const INCREMENTALS = 5;
const TARGET_RATIO_AT_25_MS = 4;
const TARGET_RATIO_AT_0_MS = 0.9;
const TARGET_RATIO_AT_100_MS = 3;
/** node process + kopia server, each at its own peak */
const AGENT_RSS_LIMIT = 400 * MiB;

type Method = 'ours' | 'ours-fixed' | 'kopia-lib' | 'kopia' | 'cp';
const OURS: readonly Method[] = ['ours', 'ours-fixed'];

interface Row {
  method: Method;
  seconds: number;
  peakRss: number;
  /** ours only: the loopback kopia server beside the engine */
  serverRss?: number;
  /** ours only: the highest sum of the agent's processes seen at one sample */
  togetherRss?: number;
  /** ours only: the limits of reads in flight the engine went through */
  readLimits?: number[];
  allocated: number;
  identical: boolean;
  chunksFetched?: number;
  chunksSkippedZero?: number;
  cpu: CpuSplit;
}

/** CPU seconds of one restore, by who spent them: with two cores shared by all four, any of them can be the limit. */
interface CpuSplit {
  /** ours: the engine's node process; kopia: the kopia CLI */
  restorer: number;
  /** ours only: the loopback kopia server and the short kopia calls beside it */
  server: number;
  /** versitygw */
  storage: number;
  /** the latency proxy (a process of its own; 0 at 0 ms, where there is none) */
  proxy: number;
}

function benchLayout(): DiskLayout {
  const size = SIZE_MIB * MiB + 12_345;
  const zeroRegions: Array<[number, number]> = [];
  for (let at = 5 * MiB; at + 9 * MiB < size; at += 30 * MiB) zeroRegions.push([at, 9 * MiB]);
  return { name: 'bench.vhdx', size, zeroRegions };
}

/** Changes 5% of the disk in 1 MiB writes at seeded places. */
async function mutate(path: string, size: number, point: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    for (let i = 0; i < Math.ceil((size * 0.05) / MiB); i++) {
      const at = seededBytes(`bench:${point}:${i}`, 6).readUIntBE(0, 6) % (size - MiB);
      await file.write(seededBytes(`bench:${point}:${i}:data`, MiB), 0, MiB, at);
    }
  } finally {
    await file.close();
  }
}

async function backUp(repo: TestRepository, disk: string, layout: DiskLayout): Promise<string> {
  let started = Date.now();
  await writeDisk(disk, layout, 'bench');
  let manifestId = await repo.snapshotFile(disk, 'C:\\VMs\\bench.vhdx');
  progress(`Full backed up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (let point = 1; point <= INCREMENTALS; point++) {
    started = Date.now();
    await mutate(disk, layout.size, point);
    manifestId = await repo.snapshotFile(disk, 'C:\\VMs\\bench.vhdx');
    progress(`Incremental ${point} backed up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return manifestId;
}

async function timed(needle: string, run: () => Promise<unknown>): Promise<{ seconds: number; peakRss: number; cpu: CpuSplit }> {
  const sampler = sampleRss(needle);
  const processes = sampleAgentRss(needle);
  const around = cpuAround();
  const started = Date.now();
  await run();
  const seconds = (Date.now() - started) / 1000;
  const used = processes.stop().cpu;
  return { seconds, peakRss: sampler.stop(), cpu: { ...around.stop(), restorer: used.node + used.other, server: used.server } };
}

let storageNeedle = '';
/** The running latency proxy's command line needle; empty at 0 ms. */
let proxyNeedle = '';

/** The CPU the storage and the proxy spent while one restore ran. */
function cpuAround(): { stop(): Pick<CpuSplit, 'storage' | 'proxy'> } {
  const storage = cpuOf(storageNeedle);
  const proxy = proxyNeedle ? cpuOf(proxyNeedle) : { stop: () => 0 };
  return { stop: () => ({ storage: storage.stop(), proxy: proxy.stop() }) };
}

const cpuText = (cpu: CpuSplit) => `CPU s ${cpu.restorer.toFixed(1)} + ${cpu.server.toFixed(1)} + ${cpu.storage.toFixed(1)} + ${cpu.proxy.toFixed(1)}`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface LatencyResult {
  oneWayMs: number;
  rows: Row[];
}

async function measureAt(oneWayMs: number, dir: string, gwEndpoint: string, repo: TestRepository, disk: string, manifestId: string, expected: string): Promise<LatencyResult> {
  const proxy = oneWayMs > 0 ? await startLatencyProxy(gwEndpoint, oneWayMs) : null;
  const spec = { ...repo.spec, endpoint: proxy?.endpoint ?? gwEndpoint };
  proxyNeedle = proxy?.commandLineNeedle ?? '';
  const rows: Row[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      progress(`${oneWayMs} ms each way, round ${round}/${ROUNDS}: ${METHODS.flatMap((m) => (m === 'ours' ? ENGINES.map((e) => `ours (${e})`) : [m])).join(', ')}`);
      if (runs('ours')) for (const engine of ENGINES) rows.push(await runOurs(dir, spec, repo.password, manifestId, expected, engine));
      if (runs('kopia-lib')) rows.push(await runKopiaLib(dir, spec, repo.password, manifestId, expected));
      if (runs('kopia')) rows.push(await runKopiaRestore(dir, spec, repo.password, manifestId, expected));
      if (runs('cp')) rows.push(await runCp(disk, join(dir, 'out', 'cp.vhdx'), expected));
    }
  } finally {
    await proxy?.stop();
    proxyNeedle = '';
  }
  return { oneWayMs, rows };
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  if (runs('kopia-lib')) kopiaReaderPath = await ensureKopiaReader();
  const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'hvr-bench-'));
  const gw = await startVersityGw();
  // versitygw's command line holds `--port <endpoint>`; nothing else started here does.
  storageNeedle = `--port\0${gw.endpoint}\0`;
  const layout = benchLayout();
  try {
    await gw.createBucket('bench');
    const repo = await createTestRepository({ type: 's3', endpoint: gw.endpoint, bucket: 'bench', prefix: 'job/', accessKeyId: gw.accessKeyId,
      secretAccessKey: gw.secretAccessKey, region: gw.region, disableTls: true });
    const disk = join(dir, 'bench.vhdx');
    const manifestId = await backUp(repo, disk, layout);
    const expected = await sha256File(disk);
    const census = await chunkCensus(repo, manifestId, disk);
    progress(`the restored point has ${census.chunks} chunks: ${census.dataChunks} hold data (${census.dataObjects} distinct objects), ${census.zeroChunks} are all zeros`);
    await mkdir(join(dir, 'out'));
    const results: LatencyResult[] = [];
    for (const oneWayMs of LATENCIES_MS) results.push(await measureAt(oneWayMs, dir, gw.endpoint, repo, disk, manifestId, expected));
    report(results, census, layout.size, loadBefore);
    await repo.cleanup();
  } finally {
    await gw.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function runOurs(dir: string, spec: TestRepository['spec'], password: string, manifestId: string, expected: string, engine: 'adaptive' | 'fixed'): Promise<Row> {
  // A fresh work folder (and so a cold kopia cache) each run, as for kopia below: no run reads what an earlier one cached.
  const workDir = await mkdtemp(join(dir, 'ours-work-'));
  const targetFile = join(dir, 'out', 'ours.vhdx');
  const input = { kopiaPath: kopiaPath(), workDir, repository: spec, password, manifestId, expectedFileName: 'bench.vhdx', targetFile, parallelism: PARALLELISM, order: ORDER,
    adaptive: engine === 'adaptive' };
  // The work folder on the child's command line too (not a secret), so one sampler finds the engine and its server.
  const agentRss = sampleAgentRss(workDir);
  const around = cpuAround();
  const result = await execa(process.execPath, [...(process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean), projectPath('dist/bench/restore/restore-child.js'), workDir],
    { env: { BENCH_RESTORE: JSON.stringify(input) } });
  const child = JSON.parse(result.stdout) as { seconds: number; openSeconds: number; phases: Record<'connect' | 'plan' | 'data' | 'commit', number>; peakRss: number; cpuSeconds?: number; chunksFetched: number; chunksSkippedZero: number; readLimits?: number[] };
  const rss = agentRss.stop();
  const cpu: CpuSplit = { ...around.stop(), restorer: child.cpuSeconds ?? rss.cpu.node, server: rss.cpu.server + rss.cpu.other };
  progress(`ours (${engine}): ${child.seconds.toFixed(1)} s (connect ${child.phases.connect.toFixed(2)} s, lookup and chunk map ${child.phases.plan.toFixed(2)} s, data ${child.phases.data.toFixed(2)} s, fsync and move ${child.phases.commit.toFixed(2)} s), ${child.chunksFetched} chunk objects fetched, ${child.chunksSkippedZero} zero chunks skipped; reads in flight ${(child.readLimits ?? []).join(' → ')}; peak RSS node ${mb(child.peakRss).toFixed(0)} MB + kopia server ${mb(rss.server).toFixed(0)} MB (together at one moment ${mb(rss.together).toFixed(0)} MB); ${cpuText(cpu)} (engine + kopia server + S3 + proxy)`);
  await rm(workDir, { recursive: true, force: true });
  return { method: engine === 'adaptive' ? 'ours' : 'ours-fixed', seconds: child.seconds, peakRss: child.peakRss, serverRss: rss.server, togetherRss: rss.together,
    readLimits: child.readLimits, cpu, ...(await checkOutput(targetFile, expected)), chunksFetched: child.chunksFetched, chunksSkippedZero: child.chunksSkippedZero };
}

async function runKopiaRestore(dir: string, spec: TestRepository['spec'], password: string, manifestId: string, expected: string): Promise<Row> {
  if (spec.type !== 's3') throw new Error('the benchmark uses an S3 repository');
  const home = await mkdtemp(join(dir, 'kopia-restore-'));
  const config = join(home, 'kopia-restore.config');
  const env = { HOME: home, KOPIA_PASSWORD: password, KOPIA_CHECK_FOR_UPDATES: 'false', AWS_ACCESS_KEY_ID: spec.accessKeyId, AWS_SECRET_ACCESS_KEY: spec.secretAccessKey };
  const common = [`--config-file=${config}`, `--log-dir=${join(home, 'logs')}`];
  const target = join(dir, 'out', 'kopia.vhdx');
  // Timed from the connect on, as ours is timed from its own connect: both start from a host that knows nothing.
  const { seconds, peakRss, cpu } = await timed(config, async () => {
    await execa(kopiaPath(), ['repository', 'connect', 's3', `--bucket=${spec.bucket}`, `--endpoint=${spec.endpoint}`, `--prefix=${spec.prefix}`,
      `--region=${spec.region}`, '--disable-tls', '--readonly', '--no-persist-credentials', `--cache-directory=${join(home, 'cache')}`, ...common], { env, extendEnv: false });
    await execa(kopiaPath(), ['snapshot', 'restore', manifestId, target, '--mode=local', '--write-sparse-files', '--no-progress', ...common], { env, extendEnv: false });
  });
  await rm(home, { recursive: true, force: true });
  progress(`kopia: ${seconds.toFixed(1)} s; ${cpuText(cpu)} (kopia CLI + - + S3 + proxy)`);
  return { method: 'kopia', seconds, peakRss, cpu, ...(await checkOutput(target, expected)) };
}

let kopiaReaderPath = '';

async function runKopiaLib(dir: string, spec: TestRepository['spec'], password: string, manifestId: string, expected: string): Promise<Row> {
  // A fresh kopia folder each run, named on every command line of the run (connect, reader) for the samplers.
  const home = await mkdtemp(join(dir, 'kopia-lib-'));
  const target = join(dir, 'out', 'kopia-lib.vhdx');
  let output: Awaited<ReturnType<typeof restoreWithKopiaLibrary>> | undefined;
  const { seconds, peakRss, cpu } = await timed(home, async () => {
    output = await restoreWithKopiaLibrary({ kopiaPath: kopiaPath(), readerPath: kopiaReaderPath, dir: home, repository: spec, password, manifestId, target, workers: PARALLELISM });
  });
  await rm(home, { recursive: true, force: true });
  const { chunksFetched, chunksSkippedZero, openSeconds } = output!;
  progress(`kopia-lib: ${seconds.toFixed(1)} s (${openSeconds.toFixed(1)} s opening after the connect), ${chunksFetched} chunk objects fetched, ${chunksSkippedZero} zero chunks skipped; ${cpuText(cpu)} (connect + reader + - + S3 + proxy)`);
  return { method: 'kopia-lib', seconds, peakRss, cpu, chunksFetched, chunksSkippedZero, ...(await checkOutput(target, expected)) };
}

async function runCp(source: string, target: string, expected: string): Promise<Row> {
  const { seconds, peakRss, cpu } = await timed(target, () => execa('cp', [source, target]));
  return { method: 'cp', seconds, peakRss, cpu, ...(await checkOutput(target, expected)) };
}

/** Size on disk and bytes of a restored file, which is then deleted (three 2 GiB copies per round add up). */
async function checkOutput(file: string, expected: string): Promise<{ allocated: number; identical: boolean }> {
  const checked = { allocated: await allocatedBytes(file), identical: (await sha256File(file)) === expected };
  await rm(file, { force: true });
  return checked;
}

const ORDER_NOTE = ORDER === 'ascending' ? ', ascending order as on Windows' : '';
const LABELS: Record<Method, string> = {
  ours: `ours (reads in flight measured, at most ${PARALLELISM}${ORDER_NOTE})`,
  'ours-fixed': `ours (parallel ${PARALLELISM} fixed${ORDER_NOTE})`,
  'kopia-lib': `kopia's Go library in-process (${PARALLELISM} workers)`,
  kopia: 'kopia snapshot restore --write-sparse-files',
  cp: 'cp (local file, no repository)',
};

interface MethodSummary {
  method: Method;
  seconds: number;
  runs: number[];
  mbPerSecond: number;
  peakRss: number;
  serverPeakRss?: number;
  /** node peak + server peak: what the agent may hold at worst */
  agentPeakRss?: number;
  togetherPeakRss?: number;
  readLimits?: number[][];
  allocated: number;
  identical: boolean;
  /** median CPU seconds of each part */
  cpu: CpuSplit;
}

function summarize(rows: Row[], size: number): MethodSummary[] {
  const methods = (['ours', 'ours-fixed', 'kopia-lib', 'kopia', 'cp'] as const).filter((m) => rows.some((r) => r.method === m));
  return methods.map((method) => {
    const of = rows.filter((r) => r.method === method);
    const ours = OURS.includes(method);
    const most = (pick: (r: Row) => number) => Math.max(...of.map(pick));
    const seconds = median(of.map((r) => r.seconds));
    return {
      method, seconds, runs: of.map((r) => r.seconds), mbPerSecond: mb(size) / seconds, peakRss: most((r) => r.peakRss),
      ...(ours ? { serverPeakRss: most((r) => r.serverRss ?? 0), agentPeakRss: most((r) => r.peakRss + (r.serverRss ?? 0)),
        togetherPeakRss: most((r) => r.togetherRss ?? 0), readLimits: of.map((r) => r.readLimits ?? []) } : {}),
      allocated: most((r) => r.allocated), identical: of.every((r) => r.identical),
      cpu: { restorer: median(of.map((r) => r.cpu.restorer)), server: median(of.map((r) => r.cpu.server)),
        storage: median(of.map((r) => r.cpu.storage)), proxy: median(of.map((r) => r.cpu.proxy)) },
    };
  });
}

function report(results: LatencyResult[], census: ChunkCensus, size: number, loadBefore: string): void {
  const loadAfter = loadAverage();
  const summary = results.map(({ oneWayMs, rows }) => {
    const methods = summarize(rows, size);
    const kopia = methods.find((m) => m.method === 'kopia');
    const ours = methods.find((m) => OURS.includes(m.method));
    const ratio = kopia && ours ? kopia.seconds / ours.seconds : undefined;
    const fetched = Math.max(...rows.filter((r) => OURS.includes(r.method)).map((r) => r.chunksFetched ?? 0));
    return { oneWayMs, ratio, methods, chunksFetched: fetched };
  });
  for (const s of summary) {
    const kopia = s.methods.find((m) => m.method === 'kopia');
    printTable(`Restore of a ${(size / MiB).toFixed(0)} MiB disk (70% random, 30% zero; Full + ${INCREMENTALS} x 5% Incrementals), S3 at ${s.oneWayMs} ms each way, median of ${ROUNDS} alternating rounds (load before ${loadBefore}, after ${loadAfter})`,
      ['method', 'seconds (each round)', 'MB/s', 'vs kopia restore', 'peak RSS MB', 'agent MB: node + kopia server (at one moment)', 'reads in flight', 'CPU s: restorer + kopia server + S3 + proxy', 'allocated MB / logical MB', 'bytes identical'],
      s.methods.map((m) => [LABELS[m.method], `${m.seconds.toFixed(1)} (${m.runs.map((x) => x.toFixed(1)).join(', ')})`, m.mbPerSecond,
        kopia ? `${(kopia.seconds / m.seconds).toFixed(2)}x` : '', mb(m.peakRss),
        m.agentPeakRss === undefined ? '' : `${mb(m.agentPeakRss).toFixed(0)} = ${mb(m.peakRss).toFixed(0)} + ${mb(m.serverPeakRss ?? 0).toFixed(0)} (${mb(m.togetherPeakRss ?? 0).toFixed(0)})`,
        (m.readLimits ?? []).map((limits) => limits.join(' ')).join('; '),
        `${m.cpu.restorer.toFixed(1)} + ${m.cpu.server.toFixed(1)} + ${m.cpu.storage.toFixed(1)} + ${m.cpu.proxy.toFixed(1)} = ${(m.cpu.restorer + m.cpu.server + m.cpu.storage + m.cpu.proxy).toFixed(1)}`,
        `${mb(m.allocated).toFixed(0)} / ${mb(size).toFixed(0)}`, m.identical ? 'yes' : 'NO']));
  }
  const ratioAt = (ms: number) => summary.find((s) => s.oneWayMs === ms)?.ratio;
  const meets = (ms: number, target: number) => { const r = ratioAt(ms); return r === undefined ? null : r >= target; };
  const fetchedMost = Math.max(...summary.map((s) => s.chunksFetched));
  const agentRss = Math.max(...summary.flatMap((s) => s.methods.map((m) => m.agentPeakRss ?? 0)));
  const targets = {
    ratioAt25Ms: meets(25, TARGET_RATIO_AT_25_MS),
    ratioAt0Ms: meets(0, TARGET_RATIO_AT_0_MS),
    ratioAt100Ms: meets(100, TARGET_RATIO_AT_100_MS),
    // one probe of the most repeated chunk is how the engine learns the zero chunk's object id
    zeroChunksNotFetched: runs('ours') ? fetchedMost <= census.dataObjects + 1 : null,
    agentRssUnder400MB: runs('ours') ? agentRss < AGENT_RSS_LIMIT : null,
    identical: summary.every((s) => s.methods.every((m) => m.identical)),
  };
  const said = (v: boolean | null) => v ?? 'not run';
  console.log(`chunks: ${census.chunks} in the file, ${census.dataChunks} with data (${census.dataObjects} distinct objects), ${census.zeroChunks} all zero${runs('ours') ? `; ours fetched at most ${fetchedMost} objects (data objects + the one zero-chunk probe)` : ''}`);
  console.log(`targets: ours >= ${TARGET_RATIO_AT_25_MS}x kopia at 25 ms: ${said(targets.ratioAt25Ms)}; >= ${TARGET_RATIO_AT_0_MS}x at 0 ms: ${said(targets.ratioAt0Ms)}; >= ${TARGET_RATIO_AT_100_MS}x at 100 ms: ${said(targets.ratioAt100Ms)}; zero chunks not fetched: ${said(targets.zeroChunksNotFetched)}; agent (node + kopia server peaks) < 400 MB: ${said(targets.agentRssUnder400MB)} (${mb(agentRss).toFixed(0)} MB); every output identical: ${targets.identical}`);
  const oursVsKopiaLib = summary.map(({ oneWayMs, methods }) => versusKopiaLib(oneWayMs, methods));
  for (const v of oursVsKopiaLib) {
    const seconds = (x: number | null) => (x === null ? 'not run' : `${x.toFixed(1)} s`);
    console.log(`ours at least as fast as kopia's library in-process at ${v.oneWayMs} ms: ${said(v.atLeastAsFast)} (ours ${seconds(v.oursSeconds)} vs ${seconds(v.kopiaLibSeconds)})`);
  }
  printJson({ bench: 'restore', sizeBytes: size, rounds: ROUNDS, parallelism: PARALLELISM, engines: ENGINES, methods: METHODS, order: ORDER, loadBefore, loadAfter, census, latencies: summary, targets, oursVsKopiaLib });
}

/** Issue 19's floor: ours (the first engine) against kopia's own library reading the same chunks in-process. */
function versusKopiaLib(oneWayMs: number, methods: MethodSummary[]) {
  const ours = methods.find((m) => OURS.includes(m.method))?.seconds ?? null;
  const lib = methods.find((m) => m.method === 'kopia-lib')?.seconds ?? null;
  return { oneWayMs, oursSeconds: ours, kopiaLibSeconds: lib, atLeastAsFast: ours === null || lib === null ? null : ours <= lib };
}

await main();
