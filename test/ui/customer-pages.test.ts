// What a customer trips over, in Chromium at a desktop (1280 px) and a phone (390 px) width, in demo mode and
// inside WHMCS-like pages on Bootstrap 3 (Six) and Bootstrap 4 (Twenty-One): system folders refused in the wizard,
// a folder an earlier restore filled warned about, a refused folder answered with "choose another folder", and the
// restore history on the VM list with links back to every live page.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { screenshot } from '../helpers/browser.js';
import { WHMCS_ORIGIN, type WhmcsTheme } from '../helpers/fake-bridge.js';
import { startDemoRestore, withUiPage, type UiWorld } from '../helpers/ui-world.js';
import { toDbTime } from '../../sidecar/db/dialect.js';

interface Setting {
  name: string;
  /** Absent: demo mode, the sidecar's own standalone pages. */
  theme?: WhmcsTheme;
}

const SETTINGS: Setting[] = [{ name: 'demo' }, { name: 'WHMCS Bootstrap 3', theme: 'bootstrap3' }, { name: 'WHMCS Bootstrap 4', theme: 'bootstrap4' }];
const WIDTHS = [1280, 390];
const VIEWS = { hyperv: ['/pages/hyperv', 'hyperv'], restore: ['/pages/hyperv-restore', 'restore'], live: ['/pages/live', 'live'] } as const;

function pageUrl(world: UiWorld, setting: Setting, view: keyof typeof VIEWS, params: Record<string, string | number> = {}): string {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  if (!setting.theme) return `${world.sidecar.baseUrl}${VIEWS[view][0]}${q.size ? `?${q}` : ''}`;
  return `${WHMCS_ORIGIN}/index.php?m=hypervrestore&view=${VIEWS[view][1]}${q.size ? `&${q}` : ''}`;
}

/** A restore started through the demo API (client 1), then moved to how it ended, as the agent would leave it. */
async function seedRestore(world: UiWorld, target: string, end: { status: string; doneDisks?: number; error?: string; failedCode?: string } | null): Promise<number> {
  const runId = await startDemoRestore(world, target);
  if (!end) return runId;
  const db = world.database.db;
  const run = await db('s3_cloudbackup_runs').where('id', runId).first('progress_json');
  const progress = JSON.parse(String(run.progress_json)) as { disks: { status: string; bytes_total: number; bytes_done: number }[] };
  progress.disks.forEach((d, i) => {
    if (i < (end.doneDisks ?? 0)) Object.assign(d, { status: 'done', bytes_total: 1024, bytes_done: 1024 });
  });
  const now = toDbTime();
  await db('s3_cloudbackup_runs').where('id', runId).update({
    status: end.status, started_at: now, finished_at: now, error_summary: end.error ?? null, progress_json: JSON.stringify(progress),
  });
  await db('s3_cloudbackup_run_commands').where('run_id', runId).update({ status: end.status === 'failed' ? 'failed' : 'completed', processed_at: now });
  if (end.failedCode) {
    await db('s3_cloudbackup_run_events').insert({
      run_id: runId, ts: now, type: 'error', level: 'error', code: null, message_id: 'HYPERV_RESTORE_FAILED',
      params_json: JSON.stringify({ message: end.error, code: end.failedCode }),
    });
  }
  return runId;
}

async function settledFocusId(page: Page, id: string): Promise<string> {
  await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 3000 }).catch(() => undefined);
  return page.evaluate(() => document.activeElement?.id ?? '');
}

for (const setting of SETTINGS) {
  for (const width of WIDTHS) {
    describe(`Customer pages in Chromium (${setting.name}, ${width} px)`, function () {
      const tag = `${setting.theme ?? 'demo'}-${width}`;
      let world: UiWorld;
      let page: Page;
      let problems: string[];

      withUiPage(width, setting.theme, (s) => ({ world, page, problems } = s));

      async function wizardAtTarget(): Promise<void> {
        await page.goto(pageUrl(world, setting, 'restore', { vm_id: world.demo.vmId }));
        await page.locator(`tr[data-point-id="${world.demo.backupPointIds.at(-1)}"] input[type=radio]`).check();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByLabel('Target folder on your Hyper-V host').waitFor();
      }

      it('Rejects system folders in the wizard, says why and suggests a folder, and sends nothing', async () => {
        const posts: string[] = [];
        page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
        await wizardAtTarget();
        const target = page.getByLabel('Target folder on your Hyper-V host');
        const error = page.locator('#hvr-target-error');
        const cases: [string, string][] = [
          ['C:\\Windows\\System32\\x', 'The target folder is inside the Windows system folder C:\\Windows: writing there can break the host. Choose a folder of your own, such as C:\\Restores\\web-01'],
          ['c:/PROGRA~1/x', 'The target folder is inside the Windows system folder C:\\Program Files: writing there can break the host. Choose a folder of your own, such as C:\\Restores\\web-01'],
          ['C:\\', 'The target folder is the root of the system drive (C:\\): Windows itself lives there. Choose a folder of your own, such as C:\\Restores\\web-01'],
        ];
        for (const [path, message] of cases) {
          await target.fill(path);
          await page.getByRole('button', { name: 'Review' }).click();
          await page.waitForFunction((m) => document.querySelector('#hvr-target-error')?.textContent === m, message, { timeout: 3000 }).catch(() => undefined);
          assert.equal(await error.innerText(), message, path);
          assert.equal(await settledFocusId(page, 'hvr-target'), 'hvr-target', 'focus goes to the refused field');
        }
        await screenshot(page, `40-system-folder-${tag}`);
        assert.deepEqual(posts, [], 'nothing was sent');
      });

      it('Can warn before a folder an earlier restore filled, and go back to choose another', async () => {
        const earlier = await seedRestore(world, 'C:\\Restores\\test-1', { status: 'success', doneDisks: 2 });
        await wizardAtTarget();
        await page.getByLabel('Target folder on your Hyper-V host').fill('c:\\restores\\TEST-1\\');
        await page.getByRole('button', { name: 'Review' }).click();
        const warning = page.locator('[data-hvr-folder-warning]');
        await warning.waitFor();
        const text = await warning.innerText();
        assert.match(text, /This folder may already hold these disks/);
        assert.match(text, /put web-01-os\.vhdx, data\.vhdx into c:\\restores\\TEST-1\\/);
        const href = await warning.getByRole('link', { name: 'earlier restore' }).getAttribute('href');
        assert.ok(href?.endsWith(`run_id=${earlier}`), `links to the earlier restore's live page (${href})`);
        assert.equal(await page.getByRole('button', { name: 'Start anyway' }).isEnabled(), true, 'the customer may go on (the files may be gone)');
        await screenshot(page, `41-folder-warning-${tag}`);
        await warning.getByRole('button', { name: 'Choose another folder' }).click();
        assert.equal(await settledFocusId(page, 'hvr-target'), 'hvr-target', 'back on step 2, in the folder field');
        // Another folder: no warning, the usual Start.
        await page.getByLabel('Target folder on your Hyper-V host').fill('C:\\Restores\\test-2');
        await page.getByRole('button', { name: 'Review' }).click();
        await page.getByRole('heading', { name: 'Review and start' }).waitFor();
        assert.equal(await warning.isVisible(), false);
        assert.equal(await page.getByRole('button', { name: 'Start restore' }).isEnabled(), true);
      });

      it('Can offer another folder when the agent refused the folder, naming the customer\'s paths', async () => {
        const error = 'C:\\Restores\\full\\web-01-os.vhdx already exists; choose another folder. C:\\Restores\\full\\data.vhdx already exists; choose another folder.';
        const runId = await seedRestore(world, 'C:\\Restores\\full', { status: 'failed', error, failedCode: 'TARGET_NOT_USABLE' });
        await page.goto(pageUrl(world, setting, 'live', { run_id: runId }));
        const summary = page.locator('[data-hvr-summary]');
        await summary.getByRole('heading', { name: 'Restore failed' }).waitFor();
        await page.locator('[data-hvr-target-refused]').waitFor();
        assert.match(await summary.innerText(), /C:\\Restores\\full\\web-01-os\.vhdx already exists; choose another folder\./);
        assert.doesNotMatch(await summary.innerText(), /start the restore again; if it keeps failing/);
        const again = summary.getByRole('link', { name: 'Choose another folder' });
        await screenshot(page, `42-live-folder-refused-${tag}`);
        await again.click();
        await page.locator('tr.hvr-point').first().waitFor();
        assert.match(page.url(), setting.theme ? /view=restore&vm_id=\d+/ : /\/pages\/hyperv-restore\?vm_id=\d+/);
      });

      it('Can show each VM\'s running restore and recent restores, each linking to its live page', async () => {
        const done = await seedRestore(world, 'C:\\Restores\\history', { status: 'success', doneDisks: 2 });
        const running = await seedRestore(world, 'C:\\Restores\\now', null);
        await page.goto(pageUrl(world, setting, 'hyperv'));
        const vm = page.locator('li.hvr-vm', { has: page.getByRole('heading', { name: 'web-01' }) });
        const badge = vm.locator('[data-hvr-running]');
        await badge.waitFor();
        assert.match(await badge.innerText(), /Queued[\s\S]*A restore to C:\\Restores\\now is in progress/);
        const history = vm.locator('[data-hvr-history] li');
        assert.ok((await history.count()) >= 2 && (await history.count()) <= 3, 'the last few restores');
        assert.match(await history.first().innerText(), /Queued[\s\S]*Incremental point of [\s\S]*to C:\\Restores\\now/);
        assert.match(await vm.locator('[data-hvr-history]').innerText(), /Completed[\s\S]*to C:\\Restores\\history/);
        await screenshot(page, `43-vm-history-${tag}`);
        await badge.getByRole('link', { name: 'See its progress' }).click();
        await page.waitForURL(new RegExp(`run_id=${running}$`));
        await page.locator('[data-hvr-status]').waitFor();
        await page.goBack();
        await vm.locator('[data-hvr-history] a', { hasText: /./ }).nth(1).click();
        await page.waitForURL(new RegExp(`run_id=${done}$`));
        await page.getByRole('heading', { name: 'Restore completed' }).waitFor();
      });

      it('Rejects a second restore to a folder one is running in, linking to the running one', async () => {
        await wizardAtTarget();
        // Started by someone else after this page was loaded: only the server knows.
        const running = await seedRestore(world, 'C:\\Restores\\busy', null);
        await page.getByLabel('Target folder on your Hyper-V host').fill('C:\\Restores\\busy');
        await page.getByRole('button', { name: 'Review' }).click();
        await page.getByRole('button', { name: 'Start restore' }).click();
        const link = page.getByRole('link', { name: 'See the restore that is running' });
        await link.waitFor();
        assert.match(await page.locator('.hvr-alert--error').first().innerText(), /A restore of this VM to this folder is already queued or running\./);
        await screenshot(page, `44-already-running-${tag}`);
        // The refusal is the answer this test wants: Chromium logs every 4xx answer of a fetch.
        problems.splice(0, problems.length, ...problems.filter((p) => !/status of 409 .*restores/.test(p)));
        await link.click();
        await page.waitForURL(new RegExp(`run_id=${running}$`));
        // Loaded after it started, the wizard says so before Start and keeps Start off.
        await wizardAtTarget();
        await page.getByLabel('Target folder on your Hyper-V host').fill('C:\\Restores\\busy');
        await page.getByRole('button', { name: 'Review' }).click();
        await page.locator('[data-hvr-active-warning]').waitFor();
        assert.equal(await page.getByRole('button', { name: 'Start restore' }).isDisabled(), true);
      });

      it('Can show numbers that agree, with their labels: sizes, the estimate for the chosen disks, duration and speed', async () => {
        await wizardAtTarget();
        assert.match(await page.getByRole('group', { name: 'Disks to restore' }).innerText(), /web-01-os\.vhdx\s+virtual size/);
        await page.getByLabel('Target folder on your Hyper-V host').fill('C:\\Restores\\numbers');
        await page.getByRole('button', { name: 'Review' }).click();
        const estimate = page.locator('.hvr-summary div', { hasText: 'Estimated size' }).locator('dd');
        const both = await estimate.innerText();
        await page.getByRole('button', { name: 'Back' }).click();
        await page.getByRole('group', { name: 'Disks to restore' }).locator('input[type=checkbox]').nth(1).uncheck();
        await page.getByRole('button', { name: 'Review' }).click();
        const one = await estimate.innerText();
        assert.notEqual(one, both, 'the estimate follows the disk selection');
        assert.match(one, /the chosen disks' share of the point/);
        assert.match(await page.locator('.hvr-summary').innerText(), /Disks\s+1 of 2: web-01-os\.vhdx/);
        const runId = await seedRestore(world, 'C:\\Restores\\timed', { status: 'success', doneDisks: 2 });
        await world.database.db('s3_cloudbackup_runs').where('id', runId).update({ started_at: '2026-11-30 10:00:00', finished_at: '2026-11-30 10:02:05' });
        await page.goto(pageUrl(world, setting, 'live', { run_id: runId }));
        await page.locator('[data-hvr-duration]').waitFor();
        // Byte counts are formatted by the server's own module, which the page loads a moment after it shows.
        await page.waitForFunction(() => /B\/s\.$/.test(document.querySelector('[data-hvr-duration]')?.textContent?.trim() ?? '')
          && !/\d\.\d{3} B/.test(document.querySelector('[data-hvr-duration]')?.textContent ?? ''), undefined, { timeout: 5000 }).catch(() => undefined);
        assert.match(await page.locator('[data-hvr-duration]').innerText(), /^Took 2 min 05 s at an average of 16 B\/s\.$/);
        assert.match(await page.locator('.hvr-live thead').innerText(), /Restored \(of file size\)/i);
        await screenshot(page, `45-live-finished-${tag}`);
      });

      it('Can summarise a cancelled restore as its table does, and mention the folder it may leave empty', async () => {
        const runId = await seedRestore(world, 'C:\\Restores\\stopped', { status: 'cancelled' });
        await world.database.db('s3_cloudbackup_runs').where('id', runId).update({ cancel_requested: 1 });
        await page.goto(pageUrl(world, setting, 'live', { run_id: runId }));
        await page.getByRole('heading', { name: 'Restore cancelled' }).waitFor();
        const text = await page.locator('[data-hvr-cancelled-text]').innerText();
        assert.match(text, /no disk was restored\. The folder C:\\Restores\\stopped may have been created and left empty; you can delete it\./);
        assert.doesNotMatch(text, /“Not restored”/);
        await screenshot(page, `46-live-cancelled-${tag}`);
      });

      it('Can say a missing page, VM or restore in the customer\'s words, with a way back', async () => {
        for (const [view, params, words] of [
          ['restore', { vm_id: world.foreign.vmId }, 'This VM was not found.'],
          ['restore', {}, 'No VM was chosen to restore. Pick one from your Hyper-V VMs.'],
          ['live', { run_id: 999999 }, 'This restore was not found.'],
        ] as const) {
          await page.goto(pageUrl(world, setting, view, params));
          const alert = page.locator('.hvr-alert');
          assert.match(await alert.innerText(), new RegExp(`^${words.replace(/\./g, '\\.')}\\s+Back to your Hyper-V VMs$`));
          assert.doesNotMatch(await page.locator('.hvr').innerText(), /_id|access denied|required/);
        }
        await screenshot(page, `47-not-found-${tag}`);
        await page.getByRole('link', { name: 'Back to your Hyper-V VMs' }).click();
        await page.getByRole('heading', { name: 'Hyper-V virtual machines' }).waitFor();
        if (!setting.theme) {
          await page.goto(`${world.sidecar.baseUrl}/`);
          await page.getByRole('heading', { name: 'Hyper-V virtual machines' }).waitFor();
          await page.goto(`${world.sidecar.baseUrl}/pages/nope`);
          assert.match(await page.locator('.hvr-alert').innerText(), /This page does not exist\./);
        }
      });

      it('Can fit every page into the width without widening it', async () => {
        const runId = await seedRestore(world, 'C:\\Restores\\a-rather-long-folder-name-for-a-phone\\web-01', { status: 'warning', doneDisks: 1 });
        const urls = [pageUrl(world, setting, 'hyperv'), pageUrl(world, setting, 'restore', { vm_id: world.demo.vmId }), pageUrl(world, setting, 'live', { run_id: runId })];
        for (const url of urls) {
          await page.goto(url);
          await page.locator('.hvr-page').first().waitFor();
          await page.waitForTimeout(300);
          const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
          assert.ok(widths.page <= widths.view, `${url}: the page is ${widths.page} px wide in a ${widths.view} px window`);
          const cut = await page.locator('.hvr table').evaluateAll((tables) => tables.filter((t) => (t as HTMLElement).offsetParent !== null)
            .filter((t) => { const wrap = t.parentElement!; return t.scrollWidth > wrap.clientWidth + 1 && getComputedStyle(wrap).overflowX !== 'auto'; }).length);
          assert.equal(cut, 0, `${url}: no table is cut off`);
        }
        await screenshot(page, `48-live-warning-${tag}`);
      });

      it('Can keep the keyboard focus, the step in the address and Continue honest', async () => {
        await page.goto(pageUrl(world, setting, 'restore', { vm_id: world.paging.vmId }));
        await page.locator('tr.hvr-point').first().waitFor();
        const steps = page.locator('.hvr-steps__item');
        assert.equal(await steps.first().evaluate((el) => getComputedStyle(el).cursor), 'default', 'the step indicators do not look clickable');
        assert.equal(await page.locator('.hvr-steps a, .hvr-steps button').count(), 0);
        // Choose the newest restorable point (an Incremental), then show Full only: the choice is hidden, Continue is off.
        await page.locator('tr.hvr-point input[type=radio]:not([disabled])').first().check();
        assert.equal(await page.getByRole('button', { name: 'Continue' }).isEnabled(), true);
        await page.getByLabel('Full only').focus();
        await page.keyboard.press('Space');
        await page.waitForFunction(() => document.querySelectorAll('tr.hvr-point').length === 1);
        assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value), 'Full', 'focus stays on the filter');
        assert.equal(await page.getByRole('button', { name: 'Continue' }).isDisabled(), true, 'a hidden point cannot be continued with');
        await page.locator('tr.hvr-point input[type=radio]').first().check();
        await page.getByRole('button', { name: 'Continue' }).click();
        assert.equal(await settledFocusId(page, 'hvr-step2-title'), 'hvr-step2-title', 'focus on step 2\'s heading');
        assert.match(page.url(), /[?&]step=2$/);
        await page.getByRole('button', { name: 'Back' }).click();
        assert.equal(await settledFocusId(page, 'hvr-step1-title'), 'hvr-step1-title', 'focus on step 1\'s heading');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByRole('button', { name: 'Review' }).click();
        assert.equal(await settledFocusId(page, 'hvr-step3-title'), 'hvr-step3-title');
        assert.match(page.url(), /[?&]step=3$/);
        // The browser's Back goes one step back and keeps what was chosen.
        await page.goBack();
        await page.getByRole('heading', { name: 'Target folder and disks' }).waitFor();
        assert.equal(await page.getByLabel('Target folder on your Hyper-V host').inputValue(), 'C:\\Restores\\app-02');
        await page.goBack();
        await page.getByRole('heading', { name: 'Choose a restore point' }).waitFor();
        assert.equal(await page.locator('tr.hvr-point input[type=radio]:checked').count(), 1);
        assert.doesNotMatch(page.url(), /step=/);
      });
    });
  }
}
