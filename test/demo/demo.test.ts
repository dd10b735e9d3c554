// `npm run demo` as a user runs it (scripts/demo.sh, minus the install + build the suite has already done), on a
// temporary DEMO_DIR and port: real VHDX disks, a real kopia repository, the embedded database, the sidecar and the
// agent. A restore started through the API must finish with success and give back VHDX files identical to the
// backed-up disks; Ctrl+C must stop both processes; a second start must reuse everything.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { checkVhdx, sameGuestContent } from '../../sidecar/demo/vhdx.js';
import { launchChromium, screenshot, watchPageErrors } from '../helpers/browser.js';
import { projectPath } from '../helpers/paths.js';

interface Demo { child: ChildProcess; output(): string; exited: Promise<number | null>; pids: number[] }
interface RunView { status: string; error_summary: string | null }

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startDemo(dir: string, port: number): Promise<Demo> {
  const child = spawn('bash', [projectPath('scripts/demo.sh')], {
    env: { ...process.env, DEMO_DIR: dir, PORT: String(port), DEMO_SKIP_SETUP: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = Date.now() + 180_000;
  while (!/\[demo\] open /.test(output)) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`the demo did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const pids = /sidecar pid (\d+), agent pid (\d+)/.exec(output)!.slice(1).map(Number);
  return { child, output: () => output, exited, pids };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Demo (npm run demo)', function () {
  this.timeout(300_000);
  let dir: string;
  let port: number;
  let base: string;
  let demo: Demo | null = null;
  let browser: Browser;
  let runId = 0;
  const disks = ['web-01-os.vhdx', 'data.vhdx'];

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-demo-'));
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const started = Date.now();
    demo = await startDemo(dir, port);
    process.stderr.write(`      [demo] first start (disks, repository, seed, sidecar, agent) took ${Date.now() - started} ms\n`);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (demo && demo.child.exitCode === null) {
      demo.child.kill('SIGINT');
      await demo.exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function restoreAndWait(pointId: number, target: string): Promise<RunView> {
    const started = await api('/api/hyperv/restores', { backup_point_id: pointId, target_path: target });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    runId = Number(started.body.restore_run_id);
    const until = Date.now() + 120_000;
    for (;;) {
      const run = (await api(`/api/runs/${runId}`)).body.run as RunView;
      if (['success', 'warning', 'failed', 'cancelled'].includes(run.status)) return run;
      if (Date.now() > until) throw new Error(`restore still ${run.status}:\n${readFileSync(join(dir, 'agent.log'), 'utf8').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('Can list the demo VM with its two disks and a Full and two Incremental points', async () => {
    const vms = (await api('/api/hyperv/vms')).body.vms as { id: number; vm_name: string; disks: { disk_name: string }[] }[];
    assert.deepEqual(vms.map((vm) => [vm.vm_name, vm.disks.map((d) => d.disk_name)]), [['web-01', disks]]);
    const points = (await api(`/api/hyperv/backup-points?vm_id=${vms[0]!.id}`)).body.backup_points as { backup_type: string; is_restorable: boolean }[];
    assert.deepEqual(points.map((p) => [p.backup_type, p.is_restorable]), [['Incremental', true], ['Incremental', true], ['Full', true]]);
  });

  it('Can restore each point through the API with the running agent to VHDX files identical to the backed-up disks', async () => {
    const seeded = JSON.parse(readFileSync(join(dir, 'seed.json'), 'utf8')) as { backupPointIds: number[] };
    for (const [p, pointId] of seeded.backupPointIds.entries()) {
      const run = await restoreAndWait(pointId, `C:\\Restores\\web-01-p${p}`);
      assert.equal(run.status, 'success', run.error_summary ?? '');
      for (const disk of disks) {
        const restored = join(dir, 'hyperv-host', 'C', 'Restores', `web-01-p${p}`, disk);
        const check = await checkVhdx(restored);
        assert.ok(check.ok, check.output);
        assert.ok(await sameGuestContent(restored, join(dir, 'points', `p${p}`, disk)), `${disk} at point ${p}`);
        if (p > 0) assert.equal(await sameGuestContent(restored, join(dir, 'points', `p${p - 1}`, disk)), false);
      }
    }
  });

  it('Can show the VM list and the finished restore in Chromium', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, reducedMotion: 'reduce' });
    const problems = watchPageErrors(page);
    await page.goto(`${base}/pages/hyperv`);
    await page.getByRole('link', { name: 'Restore web-01' }).waitFor();
    await screenshot(page, 'demo-10-vm-list');
    await page.goto(`${base}/pages/live?run_id=${runId}`);
    await page.getByRole('heading', { name: /^Restore completed/ }).waitFor();
    assert.equal(await page.locator('[data-hvr-status]').innerText(), 'Completed');
    assert.deepEqual(await page.locator('.hvr-files li').allInnerTexts(), disks.map((d) => `C:\\Restores\\web-01-p2\\${d}`));
    await screenshot(page, 'demo-20-live-finished');
    await page.close();
    assert.deepEqual(problems, []);
  });

  it('Can stop the sidecar and the agent on Ctrl+C', async () => {
    const { child, exited, pids } = demo!;
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.deepEqual(pids.filter(alive), []);
  });

  it('Can start again on the same folder, reusing the disks, repository, database and restores', async () => {
    const pointsBefore = readFileSync(join(dir, 'points.json'), 'utf8');
    const started = Date.now();
    demo = await startDemo(dir, port);
    process.stderr.write(`      [demo] second start took ${Date.now() - started} ms\n`);
    assert.match(demo.output(), /\[demo\] reusing the VHDX disks and kopia repository/);
    assert.equal(readFileSync(join(dir, 'points.json'), 'utf8'), pointsBefore);
    assert.equal(((await api(`/api/runs/${runId}`)).body.run as RunView).status, 'success');
    const vms = (await api('/api/hyperv/vms')).body.vms as { backup_point_count: number }[];
    assert.deepEqual(vms.map((vm) => vm.backup_point_count), [3]);
  });
});
