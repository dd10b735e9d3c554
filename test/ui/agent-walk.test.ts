// The whole walk with every real part: a kopia repository holding a two-disk VM at three points, the sidecar in
// demo mode, the compiled agent as its own process, and Chromium clicking from the VM list through the wizard to a
// finished restore whose files match the backed-up disks byte for byte.
// It needs the agent (dist/agent/main.js) and the agent branch's test helpers (kopia.ts, agent-process.ts); on a
// branch without them this file registers a note instead of a test, because nothing here could run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { RepositorySpec } from '../../sidecar/demo/kopia-repository.js';
import { seedDemoClient, type SeedResult } from '../../sidecar/demo/seed-demo-client.js';
import { launchChromium, screenshot, watchPageErrors } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { giveJobStorage, storageOfRepository } from '../helpers/job-storage.js';
import { projectPath } from '../helpers/paths.js';
import { startSidecar, type SidecarProcess } from '../helpers/sidecar-process.js';

// The parts of the agent branch's helpers this test uses (imported at run time: they may not exist here).
interface DiskLayout { name: string; size: number }
interface SampleVm { disks: DiskLayout[]; points: { manifests: Record<string, string>; sha256: Record<string, string> }[]; hostPath(name: string): string }
interface TestRepository { spec: { type: string; path?: string }; password: string; cleanup(): Promise<void> }
interface KopiaHelpers {
  kopiaPath(): string;
  createTestRepository(): Promise<TestRepository>;
  buildSampleVm(repo: TestRepository, disks: DiskLayout[], points?: number): Promise<SampleVm>;
  diskLayout(name: string, sizeMiB: number, oddBytes?: number): DiskLayout;
  sha256File(path: string): Promise<string>;
}
interface AgentHelpers {
  writeAgentConfig(dir: string, config: unknown): string;
  startAgent(file: string): { output(): string; stop(): Promise<number | null> };
}

const HELPERS = { kopia: projectPath('dist/test/helpers/kopia.js'), agent: projectPath('dist/test/helpers/agent-process.js') };
const AGENT_AVAILABLE = existsSync(projectPath('dist/agent/main.js')) && existsSync(HELPERS.kopia) && existsSync(HELPERS.agent);

interface LiveFacts { bars: number[]; speed: string; eta: string }

/** Samples the live page ten times a second (what a customer watching it sees); the samples, when asked. */
/**
 * Slows the agent's kopia server to a fraction of its speed (stopped 300 ms, running 50 ms, over and over) until the
 * returned stop is called: on a quiet machine the disk is otherwise written between two of the page's polls, and the
 * walk is here to see the bar move. The agent itself runs on, so its heartbeats report the slowed progress.
 */
function throttleKopiaServers(workDir: string): () => Promise<void> {
  let running = true;
  const servers = () => execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n')
    .filter((line) => line.includes('server start') && line.includes(workDir)).map((line) => Number(line.trim().split(/\s+/)[0]));
  const signal = (pids: number[], name: NodeJS.Signals) => { for (const pid of pids) { try { process.kill(pid, name); } catch { /* ended */ } } };
  const loop = (async () => {
    while (running) {
      const pids = servers();
      // Until the server is there, look often: a fast machine restores the disk in the first unthrottled second.
      if (pids.length === 0) { await new Promise((r) => setTimeout(r, 20)); continue; }
      signal(pids, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, 300));
      signal(pids, 'SIGCONT');
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => { running = false; await loop; signal(servers(), 'SIGCONT'); };
}

async function watchLiveFacts(page: Page): Promise<() => Promise<LiveFacts[]>> {
  await page.evaluate(() => {
    const samples: LiveFacts[] = [];
    (window as unknown as { hvrSamples: LiveFacts[] }).hvrSamples = samples;
    setInterval(() => {
      const facts = Array.from(document.querySelectorAll('.hvr-live .hvr-facts dd')).map((dd) => dd.textContent ?? '');
      const bars = Array.from(document.querySelectorAll('.hvr-live tbody [role=progressbar]')).map((bar) => Number(bar.getAttribute('aria-valuenow') ?? -1));
      samples.push({ bars, speed: facts[2] ?? '', eta: facts[3] ?? '' });
    }, 100);
  });
  return () => page.evaluate(() => (window as unknown as { hvrSamples: LiveFacts[] }).hvrSamples);
}

describe('Restore walk with the real agent, in Chromium', function () {
  if (!AGENT_AVAILABLE) {
    process.stderr.write('[ui] agent-walk: dist/agent/main.js or the kopia/agent test helpers are missing on this branch; walk not registered\n');
    return;
  }
  this.timeout(600_000);
  let dir: string;
  let repo: TestRepository;
  let vm: SampleVm;
  let database: TestDatabase;
  let seed: SeedResult;
  let sidecar: SidecarProcess;
  let agent: ReturnType<AgentHelpers['startAgent']>;
  let browser: Browser;
  let kopia: KopiaHelpers;
  let driveD: string;

  before(async () => {
    kopia = (await import(pathToFileURL(HELPERS.kopia).href)) as KopiaHelpers;
    const agents = (await import(pathToFileURL(HELPERS.agent).href)) as AgentHelpers;
    dir = await mkdtemp(join(tmpdir(), 'hvr-ui-walk-'));
    repo = await kopia.createTestRepository();
    // The OS disk is big enough (about 190 MiB of data) that writing it takes a few of the agent's one-second
    // reports on this machine, so the live page can be seen moving; the data disk stays small.
    vm = await kopia.buildSampleVm(repo, [kopia.diskLayout('web-01-os.vhdx', 320), kopia.diskLayout('data.vhdx', 7, 4321)]);
    database = await createTestDatabase('sqlite');
    const diskPaths = vm.disks.map((d) => vm.hostPath(d.name)) as [string, string];
    seed = await seedDemoClient(database.db, {
      clientId: 1, diskPaths, diskSizes: [vm.disks[0]!.size, vm.disks[1]!.size],
      points: vm.points.map((p, i) => ({ backupType: i === 0 ? 'Full' as const : 'Incremental' as const, diskManifests: Object.fromEntries(vm.disks.map((d) => [vm.hostPath(d.name), p.manifests[d.name]!])) })),
    });
    // Recorded as the cloudstorage module records a job's storage: the sidecar hands the agent this repository.
    await giveJobStorage(database.db, seed.jobId, storageOfRepository(repo.spec as RepositorySpec));
    sidecar = await startSidecar({ DEMO_MODE: '1', DATABASE_URL: database.url, LOG_LEVEL: 'info' });
    driveD = join(dir, 'drive-d');
    await mkdir(driveD, { recursive: true });
    const configFile = agents.writeAgentConfig(dir, {
      sidecar_url: sidecar.baseUrl, agent_id: seed.agentId, agent_token: seed.agentToken, kopia_path: kopia.kopiaPath(),
      work_dir: join(dir, 'agent-work'), poll_interval_seconds: 0.2, path_map: { 'D:\\': driveD },
    });
    agent = agents.startAgent(configFile);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await sidecar?.stop();
    await database?.drop();
    await repo?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('Can restore the newest Incremental from the VM list to a finished restore, byte for byte', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, reducedMotion: 'reduce' });
    const problems = watchPageErrors(page);
    await page.goto(`${sidecar.baseUrl}/pages/hyperv`);
    await page.getByRole('link', { name: 'Restore web-01' }).click();
    await page.locator(`tr[data-point-id="${seed.backupPointIds.at(-1)}"] input[type=radio]`).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Target folder on your Hyper-V host').fill('D:\\Restores\\web-01');
    await page.getByRole('button', { name: 'Review' }).click();
    const unthrottle = throttleKopiaServers(join(dir, 'agent-work'));
    await page.getByRole('button', { name: 'Start restore' }).click();
    await page.waitForURL(/\/pages\/live\?run_id=\d+$/);
    const seen = await watchLiveFacts(page);
    try {
      await page.getByRole('heading', { name: /^Restore (completed|failed|cancelled)/ }).waitFor({ timeout: 300_000 });
    } catch (thrown) {
      throw new Error(`the restore did not finish: ${String(thrown)}\nagent output:\n${agent.output().slice(-3000)}`);
    } finally {
      await unthrottle();
    }
    await screenshot(page, '30-agent-walk-finished');
    const moving = (await seen()).filter((s) => s.bars.some((v) => v > 0 && v < 100));
    assert.ok(moving.length > 0, 'a disk\'s bar was seen part-way while the real agent wrote it');
    assert.ok(moving.some((s) => /\d B\/s|\d (KiB|MiB|GiB)\/s/.test(s.speed) && /\d/.test(s.eta)), `speed and time left were shown while it moved: ${JSON.stringify(moving.slice(0, 3))}`);
    assert.match(await page.locator('[data-hvr-duration]').innerText(), /^Took .+ at an average of [\d.]+ (KiB|MiB|GiB)\/s\.$/);
    assert.equal(await page.locator('[data-hvr-status]').innerText(), 'Completed', agent.output().slice(-3000));
    assert.deepEqual(await page.locator('.hvr-files li').allInnerTexts(), vm.disks.map((d) => `D:\\Restores\\web-01\\${d.name}`));
    assert.match(await page.locator('[data-hvr-events]').innerText(), /Hyper-V restore completed: 2\/2 disks restored to D:\\Restores\\web-01\./);
    const newest = vm.points.at(-1)!;
    for (const disk of vm.disks) {
      assert.equal(await kopia.sha256File(join(driveD, 'Restores', 'web-01', disk.name)), newest.sha256[disk.name], disk.name);
    }
    await page.close();
    assert.deepEqual(problems, []);
  });

  it('Cannot restore twice into one folder: warned before the start, refused at once by the agent in the customer\'s paths', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, reducedMotion: 'reduce' });
    const problems = watchPageErrors(page);
    const newest = vm.points.at(-1)!;
    // The walk above restored the newest point into D:\Restores\web-01; without it there is nothing to refuse.
    assert.equal(await kopia.sha256File(join(driveD, 'Restores', 'web-01', vm.disks[0]!.name)), newest.sha256[vm.disks[0]!.name]);
    await page.goto(`${sidecar.baseUrl}/pages/hyperv-restore?vm_id=${seed.vmId}`);
    await page.locator(`tr[data-point-id="${seed.backupPointIds[0]}"] input[type=radio]`).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Target folder on your Hyper-V host').fill('D:\\Restores\\web-01');
    await page.getByRole('button', { name: 'Review' }).click();
    assert.match(await page.locator('[data-hvr-folder-warning]').innerText(), /put web-01-os\.vhdx, data\.vhdx into D:\\Restores\\web-01/);
    const startedAt = Date.now();
    await page.getByRole('button', { name: 'Start anyway' }).click();
    await page.waitForURL(/\/pages\/live\?run_id=\d+$/);
    await page.getByRole('heading', { name: 'Restore failed' }).waitFor({ timeout: 120_000 });
    const seconds = (Date.now() - startedAt) / 1000;
    const summary = await page.locator('[data-hvr-summary]').innerText();
    assert.match(summary, /D:\\Restores\\web-01\\web-01-os\.vhdx already exists; choose another folder\. D:\\Restores\\web-01\\data\.vhdx already exists; choose another folder\./);
    assert.equal(await page.locator('[data-hvr-summary]').getByRole('link', { name: 'Choose another folder' }).count(), 1);
    const everything = await page.locator('.hvr').innerText();
    assert.ok(!everything.includes(driveD) && !everything.includes(dir), 'the agent\'s own folders are never shown');
    assert.doesNotMatch(everything, /Restoring disk 1\/2/, 'no disk was started, so nothing was fetched');
    await screenshot(page, '31-agent-walk-folder-refused-390');
    for (const disk of vm.disks) {
      assert.equal(await kopia.sha256File(join(driveD, 'Restores', 'web-01', disk.name)), newest.sha256[disk.name], `${disk.name} left as it was`);
    }
    process.stderr.write(`[ui] agent-walk: the refusal took ${seconds.toFixed(1)} s from Start to the failed page\n`);
    await page.close();
    assert.deepEqual(problems, []);
  });
});
