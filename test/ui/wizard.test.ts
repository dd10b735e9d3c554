// The pages in Debian's Chromium against a real sidecar process in demo mode: VM list -> wizard -> live page,
// filter and paging, inline path validation that sends nothing, a foreign VM, cancel from the live page, and the
// same pages inside a Bootstrap host page through a stand-in of the WHMCS bridge.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { validateTargetPath } from '../../sidecar/lib/target-path.js';
import { screenshot, watchPageErrors } from '../helpers/browser.js';
import { NEAR_SYSTEM_FOLDER_PATHS, systemFolderPaths } from '../helpers/target-paths.js';
import { restoreRuns, setUpWorld, tearDownWorld, type UiWorld } from '../helpers/ui-world.js';

/** Visible form controls without an accessible name (label, aria-label(ledby) or text): should be none. */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.locator('.hvr input, .hvr button, .hvr select, .hvr a').evaluateAll((els) => els
    .filter((el) => (el as HTMLElement).offsetParent !== null)
    .filter((el) => {
      const input = el as HTMLInputElement;
      const named = (input.labels?.length ?? 0) > 0 || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      return !named && !(el.textContent ?? '').trim();
    })
    .map((el) => el.outerHTML.slice(0, 120)));
}

/** Where the focus is once it has settled: the pages move it on Alpine's next tick, so wait for the expected
 * place a little (3 s) before reading it, instead of reading right after the click. */
async function settledFocus(page: Page, wanted: { id?: string; text?: string }): Promise<{ id: string; text: string }> {
  await page.waitForFunction((w) => {
    const el = document.activeElement;
    return (w.id === undefined || el?.id === w.id) && (w.text === undefined || el?.textContent?.trim() === w.text);
  }, wanted, { timeout: 3000 }).catch(() => undefined);
  return page.evaluate(() => ({ id: document.activeElement?.id ?? '', text: document.activeElement?.textContent?.trim() ?? '' }));
}

async function openWizard(page: Page, base: string, vmName: string): Promise<void> {
  await page.goto(`${base}/pages/hyperv`);
  await page.getByRole('link', { name: `Restore ${vmName}` }).click();
  await page.waitForURL(/\/pages\/hyperv-restore\?vm_id=\d+$/);
  await page.locator('tr.hvr-point').first().waitFor();
}

describe('Restore pages in Chromium (demo mode)', function () {
  let world: UiWorld;
  let page: Page;
  let problems: string[];

  before(async () => (world = await setUpWorld()));
  after(() => tearDownWorld(world));
  beforeEach(async () => {
    page = await world.browser.newPage({ viewport: { width: 1200, height: 900 }, reducedMotion: 'reduce' });
    problems = watchPageErrors(page);
  });
  afterEach(async () => {
    await page.close();
    assert.deepEqual(problems, [], 'the page reported no errors');
  });

  it('Can walk from the VM list through the wizard to the live page of a queued restore', async () => {
    const base = world.sidecar.baseUrl;
    await page.goto(`${base}/pages/hyperv`);
    await page.getByRole('heading', { name: 'web-01' }).waitFor();
    await screenshot(page, '01-vm-list');
    await page.getByRole('link', { name: 'Restore web-01' }).click();
    await page.waitForURL(/\/pages\/hyperv-restore\?vm_id=\d+$/);
    const rows = page.locator('tr.hvr-point');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    const newest = world.demo.backupPointIds.at(-1)!;
    // Keyboard: focus the newest point's radio and select it with Space.
    await page.locator(`tr[data-point-id="${newest}"] input[type=radio]`).focus();
    await page.keyboard.press('Space');
    assert.equal(await page.locator(`tr[data-point-id="${newest}"] input[type=radio]`).isChecked(), true);
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, '02-wizard-points');
    await page.getByRole('button', { name: 'Continue' }).click();

    const target = page.getByLabel('Target folder on your Hyper-V host');
    await target.waitFor();
    assert.equal(await target.inputValue(), 'C:\\Restores\\web-01');
    assert.deepEqual(await page.locator('input[type=checkbox]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).checked)), [true, true]);
    await target.fill('D:\\Restores\\web-01');
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, '03-wizard-target');
    await page.getByRole('button', { name: 'Review' }).click();

    await page.getByRole('heading', { name: 'Review and start' }).waitFor();
    const chain = page.locator('.hvr-chain__item');
    assert.equal(await chain.count(), 3, 'the Incremental shows its chain back to the Full');
    assert.match((await chain.first().innerText()), /^Full/);
    assert.match((await chain.last().innerText()), /Incremental[\s\S]*\(selected\)/);
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, '04-wizard-review');
    await page.getByRole('button', { name: 'Start restore' }).click();

    await page.waitForURL(/\/pages\/live\?run_id=/);
    await page.locator('[data-hvr-events] .hvr-event').first().waitFor();
    assert.equal(await page.locator('[data-hvr-status]').innerText(), 'Queued');
    assert.match(await page.locator('[data-hvr-events]').innerText(), /Hyper-V restore queued for VM "web-01" \(2 disks\)\./);
    await screenshot(page, '05-live-queued');
    const runs = await restoreRuns(world);
    assert.equal(runs.length, 1);
    const command = await world.database.db('s3_cloudbackup_run_commands').where('run_id', Number(runs[0]!.id)).first();
    const payload = JSON.parse(String(command.payload_json)) as { target_path: string; backup_point_id: number; disk_manifests: Record<string, string> };
    assert.equal(payload.target_path, 'D:\\Restores\\web-01');
    assert.equal(payload.backup_point_id, newest);
    assert.deepEqual(Object.keys(payload.disk_manifests).sort(), [...world.demo.diskPaths].sort());
  });

  it('Can filter points by type and page through them', async () => {
    await openWizard(page, world.sidecar.baseUrl, 'app-02');
    const info = page.locator('.hvr-pager__info');
    assert.equal(await info.innerText(), 'Points 1–10 of 25');
    assert.equal(await page.locator('tr.hvr-point').count(), 10);
    const firstPage = await page.locator('tr.hvr-point').first().getAttribute('data-point-id');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForFunction(() => document.querySelector('.hvr-pager__info')?.textContent === 'Points 11–20 of 25');
    assert.notEqual(await page.locator('tr.hvr-point').first().getAttribute('data-point-id'), firstPage);
    await screenshot(page, '06-wizard-page-2');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForFunction(() => document.querySelector('.hvr-pager__info')?.textContent === 'Points 21–25 of 25');
    assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true);

    await page.getByLabel('Full only').check();
    await page.waitForFunction(() => document.querySelectorAll('tr.hvr-point').length === 1);
    assert.deepEqual(await page.locator('tr.hvr-point .hvr-badge').allInnerTexts(), ['Full']);
    assert.equal(await page.locator('.hvr-pager').isVisible(), false, 'one page: no pager');
    await screenshot(page, '07-wizard-filter-full');
    await page.getByLabel('Incremental only').check();
    await page.waitForFunction(() => document.querySelector('.hvr-pager__info')?.textContent === 'Points 1–10 of 24');
    assert.deepEqual([...new Set(await page.locator('tr.hvr-point .hvr-badge').allInnerTexts())], ['Incremental']);
  });

  it('Cannot select a point that cannot be restored, and says why', async () => {
    await openWizard(page, world.sidecar.baseUrl, 'app-02');
    const broken = page.locator(`tr[data-point-id="${world.paging.backupPointIds.at(-1)}"]`);
    assert.equal(await broken.locator('input[type=radio]').isDisabled(), true);
    assert.match(await broken.innerText(), /Cannot be restored: a backup it builds on is missing or did not finish/);
    assert.doesNotMatch(await broken.innerText(), /#\d|point \d/, 'no internal point ids');
    await broken.click();
    assert.equal(await page.getByRole('button', { name: 'Continue' }).isDisabled(), true);
    const warned = page.locator(`tr[data-point-id="${world.paging.backupPointIds.at(-2)}"]`);
    assert.match(await warned.innerText(), /Crash[\s\S]*Ready[\s\S]*Warning: Production checkpoint failed; a crash-consistent one was used/);
    assert.equal(await warned.locator('input[type=radio]').isDisabled(), false);
    await screenshot(page, '05b-wizard-broken-point');
  });

  it('Rejects a bad target path inline, with the server\'s own message, and sends nothing', async () => {
    const before = (await restoreRuns(world)).length;
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
    await openWizard(page, world.sidecar.baseUrl, 'web-01');
    await page.locator('tr.hvr-point input[type=radio]:not([disabled])').first().check();
    await page.getByRole('button', { name: 'Continue' }).click();
    const target = page.getByLabel('Target folder on your Hyper-V host');
    const bad = 'C:\\Restores\\web|01';
    await target.fill(bad);
    await target.blur();
    const expected = validateTargetPath(bad);
    assert.equal(expected.ok, false);
    const error = page.locator('#hvr-target-error');
    await error.waitFor();
    // The server's own text, with the API field name said the way the page says it.
    assert.equal(await error.innerText(), expected.ok ? '' : expected.message.replace(/^target_path/, 'The target folder'));
    assert.equal(await target.getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Review' }).click();
    assert.equal(await page.getByRole('heading', { name: 'Target folder and disks' }).isVisible(), true, 'stays on step 2');
    assert.equal((await settledFocus(page, { id: 'hvr-target' })).id, 'hvr-target', 'focus goes to the bad field');
    await screenshot(page, '08-wizard-bad-path');
    // Fixing it clears the message as the user types.
    await target.fill('C:\\Restores\\web-01');
    await page.waitForFunction(() => !(document.querySelector('#hvr-target-error') as HTMLElement).offsetParent);
    await page.getByRole('button', { name: 'Select none' }).click();
    await page.getByRole('button', { name: 'Review' }).click();
    assert.equal(await page.locator('#hvr-disks-error').innerText(), 'No disks selected');
    assert.deepEqual(posts, []);
    assert.equal((await restoreRuns(world)).length, before, 'no run row was created');
  });

  it('Can check target paths in the browser exactly as the server does', async () => {
    await page.goto(`${world.sidecar.baseUrl}/pages/hyperv`);
    const table = ['C:\\Restore', 'C:\\', 'D:\\VMs\\web 01\\disks', '\\\\nas\\share\\restores', 'C:/Restore', 'Restore', 'C:\\a\\..\\b',
      'C:\\a\\.', 'C:\\CON\\x', 'C:\\nul.txt', 'C:\\a\\b.', 'C:\\a\\b ', 'C:\\a<b', 'C:\\a\\\\b', '\\\\server', '\\\\server\\', '',
      '   ', 'C:\\' + 'x'.repeat(250), 'E:\\Ünïcødé\\データ', 'C:\\tab\there', 'C:\\COM1.log\\x', 'C:\\LPT9', 'C:\\Restore\\'];
    const system = [...systemFolderPaths('web-01').map(([p]) => p), ...NEAR_SYSTEM_FOLDER_PATHS];
    const inBrowser = await page.evaluate(async ({ paths, system }) => {
      // A variable specifier: the browser resolves it, TypeScript leaves it alone.
      const url = '/assets/lib/target-path.js';
      const mod = (await import(url)) as { validateTargetPath(p: string, o?: object): unknown };
      return [...paths.map((p) => mod.validateTargetPath(p)), ...system.map((p) => mod.validateTargetPath(p, { vmName: 'web-01' }))];
    }, { paths: table, system });
    assert.deepEqual(inBrowser, [...table.map((p) => validateTargetPath(p)), ...system.map((p) => validateTargetPath(p, { vmName: 'web-01' }))]);
    assert.deepEqual(inBrowser.slice(table.length, table.length + system.length - NEAR_SYSTEM_FOLDER_PATHS.length),
      systemFolderPaths('web-01').map(([, message]) => ({ ok: false, message })), 'every system folder spelling is refused in the browser');
  });

  it('Cannot open another client\'s VM: the not-found message, none of its data', async () => {
    await page.goto(`${world.sidecar.baseUrl}/pages/hyperv-restore?vm_id=${world.foreign.vmId}`);
    assert.match(await page.locator('.hvr-alert').innerText(), /This VM was not found\.[\s\S]*Back to your Hyper-V VMs/);
    assert.ok(!(await page.content()).includes('other-secret-vm'));
    await screenshot(page, '09-foreign-vm');
    await page.goto(`${world.sidecar.baseUrl}/pages/hyperv`);
    assert.ok(!(await page.content()).includes('other-secret-vm'), 'the VM list shows only the demo client');
  });

  it('Can cancel a queued restore from the live page, after a confirmation', async () => {
    await page.goto(`${world.sidecar.baseUrl}/pages/hyperv`);
    const started = await page.evaluate(async (pointId) => {
      const res = await fetch('/api/hyperv/restores', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ backup_point_id: pointId, target_path: 'E:\\Cancel\\me' }) });
      return (await res.json()) as { restore_run_id: number };
    }, world.demo.backupPointIds[0]!);
    await page.goto(`${world.sidecar.baseUrl}/pages/live?run_id=${started.restore_run_id}`);
    await page.getByRole('button', { name: 'Cancel restore' }).click();
    const confirm = page.getByRole('button', { name: 'Yes, cancel the restore' });
    assert.equal((await settledFocus(page, { text: 'Yes, cancel the restore' })).text, 'Yes, cancel the restore', 'focus moves to the confirmation');
    assert.deepEqual(await unlabelledControls(page), []);
    await screenshot(page, '10-live-confirm-cancel');
    await confirm.click();
    await page.waitForFunction(() => document.querySelector('[data-hvr-status]')?.textContent === 'Cancelled');
    await page.getByRole('heading', { name: 'Restore cancelled' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel restore' }).isVisible(), false);
    await screenshot(page, '11-live-cancelled');
    const run = await world.database.db('s3_cloudbackup_runs').where('id', started.restore_run_id).first();
    assert.equal(run.status, 'cancelled');
    const command = await world.database.db('s3_cloudbackup_run_commands').where('run_id', started.restore_run_id).first();
    assert.equal(command.status, 'failed', 'the queued command is retired so no agent picks it up');
  });
});
