// `npm run bench:restore`: restore speed of the agent's engine against `kopia snapshot restore` and `cp`, on an S3
// repository (versitygw) behind a latency-injecting proxy. A disk of BENCH_SIZE_MIB (default 2048), 70% random and
// 30% zeros, backed up as a Full plus 5 Incrementals that each change 5%; the last point is restored.
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createTestRepository, kopiaPath, seededBytes, sha256File, writeDisk, type DiskLayout, type TestRepository } from '../../test/helpers/kopia.js';
import { projectPath } from '../../test/helpers/paths.js';
import { startVersityGw } from '../../test/helpers/versitygw.js';
import { startLatencyProxy } from './latency-proxy.js';
import { allocatedBytes, mb, sampleRss } from './measure.js';

const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env.BENCH_SIZE_MIB ?? 2048);
const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 40);
const PARALLELISM = Number(process.env.BENCH_PARALLELISM ?? 16);
const INCREMENTALS = 5;

interface Row { method: string; seconds: number; peakRss: number; allocated: number; identical: boolean }

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

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
  log(`Full backed up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (let point = 1; point <= INCREMENTALS; point++) {
    started = Date.now();
    await mutate(disk, layout.size, point);
    manifestId = await repo.snapshotFile(disk, 'C:\\VMs\\bench.vhdx');
    log(`Incremental ${point} backed up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return manifestId;
}

async function timed(needle: string, run: () => Promise<unknown>): Promise<{ seconds: number; peakRss: number }> {
  const sampler = sampleRss(needle);
  const started = Date.now();
  await run();
  return { seconds: (Date.now() - started) / 1000, peakRss: sampler.stop() };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'hvr-bench-'));
  const gw = await startVersityGw();
  const proxy = await startLatencyProxy(gw.endpoint, RTT_MS);
  const rows: Row[] = [];
  const layout = benchLayout();
  try {
    await gw.createBucket('bench');
    const repo = await createTestRepository({ type: 's3', endpoint: gw.endpoint, bucket: 'bench', prefix: 'job/', accessKeyId: gw.accessKeyId,
      secretAccessKey: gw.secretAccessKey, region: gw.region, disableTls: true });
    const disk = join(dir, 'bench.vhdx');
    const manifestId = await backUp(repo, disk, layout);
    const expected = await sha256File(disk);
    const slowSpec = { ...repo.spec, endpoint: proxy.endpoint }; // restores go through the latency proxy
    await mkdir(join(dir, 'out'));
    log(`restoring ${manifestId} (${SIZE_MIB} MiB) through ${RTT_MS} ms RTT, parallelism ${PARALLELISM}`);
    rows.push(await runOurs(dir, slowSpec, repo.password, manifestId, expected));
    rows.push(await runKopiaRestore(dir, slowSpec, repo.password, manifestId, expected));
    rows.push(await runCp(disk, join(dir, 'out', 'cp.vhdx'), expected));
    printTable(rows, layout.size);
    await repo.cleanup();
  } finally {
    await proxy.stop();
    await gw.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function runOurs(dir: string, spec: TestRepository['spec'], password: string, manifestId: string, expected: string): Promise<Row> {
  const workDir = join(dir, 'ours-work');
  const targetFile = join(dir, 'out', 'ours.vhdx');
  const input = { kopiaPath: kopiaPath(), workDir, repository: spec, password, manifestId, expectedFileName: 'bench.vhdx', targetFile, parallelism: PARALLELISM };
  const serverRss = sampleRss(workDir);
  const result = await execa(process.execPath, [projectPath('dist/bench/restore/restore-child.js')], { env: { BENCH_RESTORE: JSON.stringify(input) } });
  const child = JSON.parse(result.stdout) as { seconds: number; peakRss: number; chunksFetched: number; chunksSkippedZero: number };
  const kopiaServerRss = serverRss.stop();
  log(`ours: ${child.chunksFetched} chunks fetched, ${child.chunksSkippedZero} zero chunks skipped; node peak RSS ${mb(child.peakRss).toFixed(0)} MB, kopia server peak RSS ${mb(kopiaServerRss).toFixed(0)} MB`);
  return { method: `ours (parallel ${PARALLELISM}; RSS = node, kopia server ${mb(kopiaServerRss).toFixed(0)} MB more)`, seconds: child.seconds, peakRss: child.peakRss, allocated: await allocatedBytes(targetFile), identical: (await sha256File(targetFile)) === expected };
}

async function runKopiaRestore(dir: string, spec: TestRepository['spec'], password: string, manifestId: string, expected: string): Promise<Row> {
  if (spec.type !== 's3') throw new Error('the benchmark uses an S3 repository');
  const config = join(dir, 'kopia-restore.config');
  const env = { HOME: dir, KOPIA_PASSWORD: password, KOPIA_CHECK_FOR_UPDATES: 'false', AWS_ACCESS_KEY_ID: spec.accessKeyId, AWS_SECRET_ACCESS_KEY: spec.secretAccessKey };
  const common = [`--config-file=${config}`, `--log-dir=${join(dir, 'kopia-logs')}`];
  await execa(kopiaPath(), ['repository', 'connect', 's3', `--bucket=${spec.bucket}`, `--endpoint=${spec.endpoint}`, `--prefix=${spec.prefix}`,
    `--region=${spec.region}`, '--disable-tls', '--readonly', '--no-persist-credentials', `--cache-directory=${join(dir, 'kopia-cache')}`, ...common], { env, extendEnv: false });
  const target = join(dir, 'out', 'kopia.vhdx');
  const { seconds, peakRss } = await timed(config, () => execa(kopiaPath(), ['snapshot', 'restore', manifestId, target, '--mode=local',
    '--write-sparse-files', '--no-progress', ...common], { env, extendEnv: false }));
  return { method: 'kopia snapshot restore --write-sparse-files', seconds, peakRss, allocated: await allocatedBytes(target), identical: (await sha256File(target)) === expected };
}

async function runCp(source: string, target: string, expected: string): Promise<Row> {
  const { seconds, peakRss } = await timed(target, () => execa('cp', [source, target]));
  return { method: 'cp (local file, no repository)', seconds, peakRss, allocated: await allocatedBytes(target), identical: (await sha256File(target)) === expected };
}

function printTable(rows: Row[], size: number): void {
  const kopia = rows.find((r) => r.method.startsWith('kopia'));
  console.log(`\nRestore of a ${(size / MiB).toFixed(0)} MiB disk (70% random, 30% zero; Full + ${INCREMENTALS} x 5% Incrementals), S3 via ${RTT_MS} ms RTT proxy`);
  console.log('method | seconds | MB/s | vs kopia restore | peak RSS MB | allocated MB / logical MB | bytes identical');
  for (const row of rows) {
    const ratio = kopia ? (kopia.seconds / row.seconds).toFixed(2) + 'x' : '-';
    console.log([row.method, row.seconds.toFixed(1), mb(size / row.seconds).toFixed(1), ratio, mb(row.peakRss).toFixed(0),
      `${mb(row.allocated).toFixed(0)} / ${mb(size).toFixed(0)}`, row.identical ? 'yes' : 'NO'].join(' | '));
  }
}

await main();
