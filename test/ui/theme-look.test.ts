// The pages inside WHMCS look like the theme's own: on a Bootstrap 3 (Six) page they wear Bootstrap 3's classes
// (panels, labels, btn-default), on a Bootstrap 4 (Twenty-One) page Bootstrap 4's (cards, badges), and the theme's
// CSS styles them; in demo mode they keep their own look. The live page, while a restore runs and once it ended,
// shows speed, time left, a bar part-way, then duration and average speed; nothing is wider than the window.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { transitionRun } from '../../sidecar/services/run-status.js';
import { screenshot } from '../helpers/browser.js';
import { WHMCS_ORIGIN, type WhmcsTheme } from '../helpers/fake-bridge.js';
import { startDemoRestore, withUiPage, type UiWorld } from '../helpers/ui-world.js';

const MiB = 1024 ** 2;

/** What each look puts on the parts the test checks, and a colour only that look's CSS gives. */
const LOOKS = {
  demo: { card: '.hvr-card:not(.card):not(.panel)', badge: '.hvr-badge:not(.badge):not(.label)', primary: 'rgb(11, 92, 173)' },
  bootstrap3: { card: '.panel.panel-default', badge: '.label', primary: 'rgb(51, 122, 183)' },
  bootstrap4: { card: '.card', badge: '.badge', primary: 'rgb(0, 123, 255)' },
} as const;

const SETTINGS: { name: string; theme?: WhmcsTheme }[] = [{ name: 'demo' }, { name: 'WHMCS Bootstrap 3', theme: 'bootstrap3' }, { name: 'WHMCS Bootstrap 4', theme: 'bootstrap4' }];

async function assertFits(page: Page, what: string): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
  assert.ok(widths.page <= widths.view, `${what}: the page is ${widths.page} px wide in a ${widths.view} px window`);
}

for (const setting of SETTINGS) {
  for (const width of [1280, 390]) {
    describe(`Page look in Chromium (${setting.name}, ${width} px)`, function () {
      const look = LOOKS[setting.theme ?? 'demo'];
      const tag = `${setting.theme ?? 'demo'}-${width}`;
      let world: UiWorld;
      let page: Page;
      const url = (view: 'hyperv' | 'restore' | 'live', params = '') => setting.theme
        ? `${WHMCS_ORIGIN}/index.php?m=hypervrestore&view=${view}${params ? `&${params}` : ''}`
        : `${world.sidecar.baseUrl}/pages/${view === 'restore' ? 'hyperv-restore' : view}${params ? `?${params}` : ''}`;

      withUiPage(width, setting.theme, (s) => ({ world, page } = s));

      it('Can wear the theme\'s own buttons, cards, tables, badges and form controls', async () => {
        await page.goto(url('hyperv'));
        const restore = page.getByRole('link', { name: 'Restore web-01' });
        await restore.waitFor();
        assert.equal(await page.locator(`.hvr ${look.card}`).count() > 0, true, `a card is ${look.card}`);
        assert.equal(await page.locator(`.hvr ${look.badge}`).count() > 0, true, `a badge is ${look.badge}`);
        assert.equal(await restore.evaluate((el) => getComputedStyle(el).backgroundColor), look.primary, 'the primary button has the look\'s colour');
        if (setting.theme) {
          assert.match(String(await restore.getAttribute('class')), /\bbtn\b.*\bbtn-primary\b/);
          assert.equal(await page.locator('.hvr table.table').count() > 0, true, 'tables are Bootstrap tables');
          assert.equal(await page.locator(`.hvr .${setting.theme === 'bootstrap3' ? 'card' : 'panel'}`).count(), 0, 'never the other version\'s card');
        } else {
          assert.equal(await page.locator('.hvr .btn, .hvr .card, .hvr .panel, .hvr .table').count(), 0, 'no Bootstrap classes in demo mode');
        }
        await assertFits(page, 'VM list');
        await screenshot(page, `50-look-vm-list-${tag}`);

        await restore.click();
        await page.locator('tr.hvr-point input[type=radio]').first().check();
        const next = page.getByRole('button', { name: 'Continue' });
        assert.equal(await next.evaluate((el) => getComputedStyle(el).backgroundColor), look.primary);
        await next.click();
        const target = page.getByLabel('Target folder on your Hyper-V host');
        if (setting.theme) {
          assert.match(String(await target.getAttribute('class')), /\bform-control\b/);
          assert.match(String(await page.getByRole('button', { name: 'Back' }).getAttribute('class')), setting.theme === 'bootstrap3' ? /\bbtn-default\b/ : /\bbtn-outline-secondary\b/);
        }
        await target.fill('C:\\Restores\\look');
        await page.getByRole('button', { name: 'Review' }).click();
        const start = page.getByRole('button', { name: 'Start restore' });
        await start.waitFor();
        if (setting.theme) assert.match(String(await start.getAttribute('class')), /\bbtn\b.*\bbtn-primary\b/);
        await assertFits(page, 'wizard review');
        await screenshot(page, `51-look-review-${tag}`);
      });

      it('Can show speed, time left and a bar part-way while a restore runs, then its duration and average speed', async () => {
        const runId = await startDemoRestore(world, 'C:\\Restores\\moving');
        const db = world.database.db;
        const [osDisk, dataDisk] = world.demo.diskPaths as [string, string];
        await transitionRun(db, runId, 'running', { set: {
          speed_bytes_per_sec: 24 * MiB, eta_seconds: 3, progress_pct: 40, bytes_total: 96 * MiB, bytes_transferred: 24 * MiB,
          progress_json: JSON.stringify({ disks: [
            { name: 'web-01-os.vhdx', path: osDisk, bytes_total: 40 * MiB, bytes_done: 24 * MiB, status: 'running' },
            { name: 'data.vhdx', path: dataDisk, bytes_total: 56 * MiB, bytes_done: 0, status: 'pending' },
          ] }),
        } });
        await page.goto(url('live', `run_id=${runId}`));
        await page.waitForFunction(() => document.querySelector('[data-hvr-status]')?.textContent === 'Restoring');
        const facts = page.locator('.hvr-live .hvr-facts');
        await page.waitForFunction(() => /24 MiB\/s/.test(document.querySelector('.hvr-live .hvr-facts')?.textContent ?? ''), undefined, { timeout: 5000 });
        assert.match(await facts.innerText(), /Speed\s+24 MiB\/s/i);
        assert.match(await facts.innerText(), /Time left\s+3 s/i);
        const diskBar = page.locator('.hvr-live tbody [role=progressbar]').first();
        assert.equal(await diskBar.getAttribute('aria-valuenow'), '60', 'the first disk\'s bar is part-way');
        const barWidth = await diskBar.evaluate((el) => (el.firstElementChild as HTMLElement).getBoundingClientRect().width / el.getBoundingClientRect().width);
        assert.ok(barWidth > 0.55 && barWidth < 0.65, `the bar is drawn 60 % wide (${barWidth.toFixed(2)})`);
        if (setting.theme) {
          assert.equal(await page.locator('.hvr-live .progress > .progress-bar').count(), 3, 'the overall and both disk bars are Bootstrap progress bars');
          assert.match(String(await page.getByRole('button', { name: 'Cancel restore' }).getAttribute('class')), /\bbtn\b/);
        }
        await assertFits(page, 'live page, running');
        await screenshot(page, `52-look-live-running-${tag}`);

        await transitionRun(db, runId, 'success', { set: {
          speed_bytes_per_sec: null, eta_seconds: null, progress_pct: 100, bytes_transferred: 96 * MiB,
          progress_json: JSON.stringify({ disks: [
            { name: 'web-01-os.vhdx', path: osDisk, bytes_total: 40 * MiB, bytes_done: 40 * MiB, status: 'done' },
            { name: 'data.vhdx', path: dataDisk, bytes_total: 56 * MiB, bytes_done: 56 * MiB, status: 'done' },
          ] }),
        } });
        await db('s3_cloudbackup_runs').where('id', runId).update({ started_at: '2026-11-30 10:00:00', finished_at: '2026-11-30 10:00:08' });
        await page.getByRole('heading', { name: 'Restore completed' }).waitFor();
        await page.waitForFunction(() => /B\/s\.$/.test(document.querySelector('[data-hvr-duration]')?.textContent?.trim() ?? ''), undefined, { timeout: 5000 });
        assert.match(await page.locator('[data-hvr-duration]').innerText(), /^Took 8 s at an average of 12 MiB\/s\.$/);
        const done = setting.theme === 'bootstrap3' ? 'label-success' : setting.theme ? 'badge-success' : 'hvr-badge--ok';
        assert.match(String(await page.locator('[data-hvr-status]').getAttribute('class')), new RegExp(`\\b${done}\\b`), 'the status badge has the success tone');
        await assertFits(page, 'live page, finished');
        await screenshot(page, `53-look-live-finished-${tag}`);
      });
    });
  }
}
