// The live page while a restore moves: per-disk progress, speed, ETA, events appended once each, the final summary
// and the end of polling. The run is moved with the same services the agent API uses (transitionRun,
// appendEvents, progress_json in the read model's shape); the walk with the real agent is in agent-walk.test.ts.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { appendEvents } from '../../sidecar/services/run-events.js';
import { transitionRun } from '../../sidecar/services/run-status.js';
import { screenshot, watchPageErrors } from '../helpers/browser.js';
import { setUpWorld, tearDownWorld, type UiWorld } from '../helpers/ui-world.js';

const GiB = 1024 ** 3;

async function startRestore(page: Page, base: string, pointId: number, target: string): Promise<number> {
  await page.goto(`${base}/pages/hyperv`);
  const started = await page.evaluate(async ({ pointId, target }) => {
    const res = await fetch('/api/hyperv/restores', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ backup_point_id: pointId, target_path: target }) });
    return (await res.json()) as { restore_run_id: number };
  }, { pointId, target });
  return started.restore_run_id;
}

describe('Live progress page in Chromium', function () {
  let world: UiWorld;
  before(async () => (world = await setUpWorld()));
  after(() => tearDownWorld(world));

  it('Can show per-disk progress, append each event once, show the summary and stop polling', async () => {
    const page = await world.browser.newPage({ viewport: { width: 1200, height: 900 }, reducedMotion: 'reduce' });
    const problems = watchPageErrors(page);
    const db = world.database.db;
    const runId = await startRestore(page, world.sidecar.baseUrl, world.demo.backupPointIds[0]!, 'D:\\Restores\\live');
    const polls: string[] = [];
    page.on('request', (r) => { if (r.url().includes(`/api/runs/${runId}`)) polls.push(r.url()); });
    await page.goto(`${world.sidecar.baseUrl}/pages/live?run_id=${runId}`);
    await page.locator('.hvr-event').first().waitFor();
    const [osDisk, dataDisk] = world.demo.diskPaths as [string, string];

    await transitionRun(db, runId, 'running', { set: {
      speed_bytes_per_sec: 200 * 1024 ** 2, eta_seconds: 9,
      progress_json: JSON.stringify({ disks: [
        { name: 'web-01-os.vhdx', path: osDisk, bytes_total: 2 * GiB, bytes_done: GiB, status: 'running' },
        { name: 'data.vhdx', path: dataDisk, bytes_total: GiB, bytes_done: 0, status: 'pending' },
      ] }),
    } });
    await appendEvents(db, runId, [
      { messageId: 'HYPERV_RESTORE_STARTING', params: { vm_name: 'web-01', disk_count: 2, target_path: 'D:\\Restores\\live' } },
      { messageId: 'HYPERV_RESTORE_DISK_STARTING', params: { disk_index: 1, total_disks: 2, disk_name: 'web-01-os.vhdx' } },
    ]);
    await page.waitForFunction(() => document.querySelector('[data-hvr-status]')?.textContent === 'Restoring');
    await page.waitForFunction(() => document.querySelectorAll('.hvr-event').length === 3);
    const overall = page.getByRole('progressbar', { name: 'Overall progress' });
    assert.equal(await overall.getAttribute('aria-valuenow'), '33');
    const text = await page.locator('.hvr-live').innerText();
    assert.match(text, /1 GiB of 3 GiB/);
    assert.match(text, /200 MiB\/s/);
    assert.match(text, /9 s/);
    assert.match(text, /Restoring web-01-os\.vhdx/);
    assert.match(text, /web-01-os\.vhdx\s+1 GiB of 2 GiB\s+Restoring/);
    await screenshot(page, '12-live-running');

    await transitionRun(db, runId, 'success', { set: {
      speed_bytes_per_sec: null, eta_seconds: null,
      progress_json: JSON.stringify({ disks: [
        { name: 'web-01-os.vhdx', path: osDisk, bytes_total: 2 * GiB, bytes_done: 2 * GiB, status: 'done' },
        { name: 'data.vhdx', path: dataDisk, bytes_total: GiB, bytes_done: GiB, status: 'done' },
      ] }),
    } });
    await appendEvents(db, runId, [
      { messageId: 'HYPERV_RESTORE_DISK_COMPLETE', params: { disk_index: 1, total_disks: 2, disk_name: 'web-01-os.vhdx' } },
      { messageId: 'HYPERV_RESTORE_DISK_COMPLETE', params: { disk_index: 2, total_disks: 2, disk_name: 'data.vhdx' } },
      { messageId: 'HYPERV_RESTORE_COMPLETE', params: { restored_disks: 2, total_disks: 2, target_path: 'D:\\Restores\\live' } },
    ]);
    await page.getByRole('heading', { name: 'Restore completed' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.hvr-event').length === 6);
    assert.deepEqual(await page.locator('.hvr-event__text').allInnerTexts(), [
      'Hyper-V restore queued for VM "web-01" (2 disks).',
      'Starting Hyper-V disk restore for VM "web-01" (2 disks) to D:\\Restores\\live.',
      'Restoring disk 1/2: web-01-os.vhdx.',
      'Disk web-01-os.vhdx restored successfully (1/2).',
      'Disk data.vhdx restored successfully (2/2).',
      'Hyper-V restore completed: 2/2 disks restored to D:\\Restores\\live.',
    ], 'every event once, oldest first');
    assert.deepEqual(await page.locator('.hvr-files li').allInnerTexts(), ['D:\\Restores\\live\\web-01-os.vhdx', 'D:\\Restores\\live\\data.vhdx']);
    assert.match(await page.locator('[data-hvr-summary]').innerText(), /Hyper-V Manager/);
    assert.equal(await page.getByRole('button', { name: 'Cancel restore' }).isVisible(), false);
    assert.equal(await overall.getAttribute('aria-valuenow'), '100');
    await screenshot(page, '13-live-finished');

    const seen = polls.length;
    await page.waitForTimeout(5000);
    assert.equal(polls.length, seen, 'no more polling once the run has finished');
    const afters = polls.filter((u) => u.includes('/events')).map((u) => Number(new URL(u).searchParams.get('after')));
    assert.deepEqual(afters, [...afters].sort((a, b) => a - b), 'the events cursor only moves forward');
    await page.close();
    assert.deepEqual(problems, []);
  });
});
