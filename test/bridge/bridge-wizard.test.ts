// A real browser (Debian's Chromium via playwright-core) walks the restore wizard inside the WHMCS client area
// served by php -S + the module, against the real sidecar: the browser only ever talks to "WHMCS".
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDatabase } from '../helpers/database.js';
import { seedFixtures, type Fixtures } from '../helpers/fixtures.js';
import { createTestAppOn, TEST_BRIDGE_SECRET, type TestApp } from '../helpers/http.js';
import { listen, type Listening } from '../helpers/listening-app.js';
import { startPhpBridge, type PhpBridge } from '../helpers/php-bridge.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('Restore wizard in the WHMCS client area (Chromium through the bridge)', function () {
  let t: TestApp;
  let f: Fixtures;
  let sidecar: Listening;
  let php: PhpBridge;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requested: string[] = [];

  before(async () => {
    t = createTestAppOn(await createTestDatabase('mariadb'));
    f = await seedFixtures(t.db);
    sidecar = await listen(t.app);
    php = await startPhpBridge({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext();
    const { cookie } = php.login({ client_id: f.a.clientId });
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: php.baseUrl }]);
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    page.on('request', (r) => requested.push(r.url()));
  });
  after(async () => {
    await browser?.close();
    await php?.stop();
    await sidecar?.close();
    await t?.drop();
  });

  it('Can go from the VM list through all three steps to the live page of a new restore', async () => {
    await page.goto(`${php.baseUrl}/index.php?m=hypervrestore`);
    await page.getByRole('link', { name: `Restore ${f.a.vmName}` }).click();
    await page.waitForURL(/view=restore&vm_id=/);
    assert.equal(await page.locator('#hvr-title').textContent(), `Restore “${f.a.vmName}”`);

    const newest = f.a.incrementalPointIds[1]!;
    await page.locator(`tr.hvr-point[data-point-id="${newest}"]`).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    const target = page.locator('#hvr-target');
    await target.fill('D:\\Restores\\..\\web-a');
    await target.blur();
    await page.locator('#hvr-target-error').waitFor({ state: 'visible' });
    await target.fill('D:\\Restores\\web-a');
    await target.blur();
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('heading', { name: 'Review and start' }).waitFor();
    assert.match((await page.locator('.hvr-summary').textContent()) ?? '', /D:\\Restores\\web-a/);

    await page.getByRole('button', { name: 'Start restore' }).click();
    await page.waitForURL(/view=live&run_id=\d+/, { timeout: 15000 });
    const runId = Number(/run_id=(\d+)/.exec(page.url())![1]);
    const run = await t.db('s3_cloudbackup_runs').where('id', runId).first();
    assert.equal(Number(run.job_id), f.a.jobId);
    assert.equal(run.status, 'queued');
    const stats = typeof run.stats_json === 'string' ? JSON.parse(run.stats_json) : run.stats_json;
    assert.equal(stats.target_path, 'D:\\Restores\\web-a');
    assert.equal(stats.backup_point_id, newest);
    await page.getByText('Hyper-V restore queued for VM').first().waitFor({ timeout: 15000 });
  });

  it('Can cancel the queued restore from the live page (a POST carrying the WHMCS token)', async () => {
    const runId = Number(/run_id=(\d+)/.exec(page.url())![1]);
    await page.getByRole('button', { name: 'Cancel restore' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the restore' }).click();
    await page.getByRole('heading', { name: 'Restore cancelled' }).waitFor({ timeout: 15000 });
    assert.equal((await t.db('s3_cloudbackup_runs').where('id', runId).first()).status, 'cancelled');
    const command = await t.db('s3_cloudbackup_run_commands').where('run_id', runId).first();
    assert.equal(command.status, 'failed', 'the queued command is retired so no agent picks it up');
  });

  it('Can do all of it without a script error and without the browser ever calling the sidecar', () => {
    assert.deepEqual(problems, []);
    assert.ok(requested.length > 5);
    assert.deepEqual(requested.filter((u) => !u.startsWith(php.baseUrl)), []);
    assert.ok(requested.some((u) => u.includes('api=backup-points')));
    assert.ok(requested.some((u) => u.includes('api=restores')));
    assert.ok(requested.some((u) => u.includes('api=run-cancel')));
  });
});
