// An admin starts a restore for a client in the WHMCS admin area (php -S + the module, Chromium, the real sidecar):
// find the client's VM, walk the client's own wizard (point, host, folder, disks), start; the run page names the
// admin, and the client sees the restore on their own live page. The browser only ever talks to "WHMCS".
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot } from '../helpers/browser.js';
import { createTestDatabase } from '../helpers/database.js';
import { insertAgent, seedFixtures, type Fixtures } from '../helpers/fixtures.js';
import { createTestAppOn, TEST_BRIDGE_SECRET, type TestApp } from '../helpers/http.js';
import { listen, type Listening } from '../helpers/listening-app.js';
import { startPhpBridge, type PhpBridge } from '../helpers/php-bridge.js';
import { toDbTime } from '../../sidecar/db/dialect.js';

const ADMIN = 5;

describe('Admin starts a restore for a client (Chromium through the WHMCS admin area)', function () {
  let t: TestApp;
  let f: Fixtures;
  let sidecar: Listening;
  let php: PhpBridge;
  let browser: Browser;
  let spare: number;
  const problems: string[] = [];
  const requested: string[] = [];

  async function contextFor(session: { admin_id?: number; client_id?: number }, width: number): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, reducedMotion: 'reduce' });
    const [name, value] = php.login(session).cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: php.baseUrl }]);
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    page.on('request', (r) => requested.push(r.url()));
    return { context, page };
  }

  before(async () => {
    t = createTestAppOn(await createTestDatabase('mariadb'));
    f = await seedFixtures(t.db);
    spare = await insertAgent(t.db, f.b.clientId, 'admin-ui-spare-host-' + 'z'.repeat(32));
    await t.db('s3_cloudbackup_agents').where('id', spare).update({ hostname: 'HV-B-SPARE', last_seen_at: toDbTime(new Date()) });
    sidecar = await listen(t.app);
    php = await startPhpBridge({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await php?.stop();
    await sidecar?.close();
    await t?.drop();
  });

  for (const width of [1280, 390]) {
    it(`Can find a client's VM and start a restore for them on another of their hosts (${width} px)`, async () => {
      const { context, page } = await contextFor({ admin_id: ADMIN }, width);
      await page.goto(`${php.baseUrl}/addonmodules.php?module=hypervrestore&action=vms`);
      await page.getByRole('link', { name: 'Start a restore' }).waitFor();
      await page.getByLabel('Client ID').fill(String(f.b.clientId));
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('link', { name: `Restore ${f.b.vmName}` }).click();
      await page.waitForURL(/action=restore&vm_id=\d+/);
      assert.equal(await page.locator('#hvr-title').textContent(), `Restore “${f.b.vmName}”`);
      assert.match(await page.locator('[data-hvr-admin-for]').innerText(), /for client #2 as an administrator/);

      await page.locator(`tr.hvr-point[data-point-id="${f.b.incrementalPointIds[1]}"]`).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('radio', { name: /HV-B-SPARE/ }).check();
      const target = page.getByLabel('Target folder on your Hyper-V host');
      await target.fill('C:\\Windows\\Temp\\x');
      await page.getByRole('button', { name: 'Review' }).click();
      // The client's rule and text, said in the admin's wizard too.
      await page.locator('#hvr-target-error').waitFor({ state: 'visible' });
      assert.match(await page.locator('#hvr-target-error').innerText(), /^The target folder is inside the Windows system folder C:\\Windows/);
      await target.fill(`D:\\Support\\w${width}`);
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByRole('heading', { name: 'Review and start' }).waitFor();
      assert.match(await page.locator('.hvr-summary').innerText(), /Hyper-V host\s+HV-B-SPARE \(online\)/);
      await screenshot(page, `60-admin-start-review-${width}`);
      await page.getByRole('button', { name: 'Start restore' }).click();

      await page.waitForURL(/action=run&run_id=\d+/, { timeout: 15000 });
      const runId = Number(/run_id=(\d+)/.exec(page.url())![1]);
      assert.equal(await page.locator('#hypervrestore-run-started-by').innerText(), `administrator #${ADMIN}`);
      await screenshot(page, `61-admin-start-run-${width}`);
      const run = await t.db('s3_cloudbackup_runs').where('id', runId).first();
      assert.deepEqual([Number(run.job_id), Number(run.agent_id), run.status], [f.b.jobId, spare, 'queued']);
      const stats = typeof run.stats_json === 'string' ? JSON.parse(run.stats_json) : run.stats_json;
      assert.deepEqual(stats.requested_by, { client_id: f.b.clientId, admin_id: ADMIN });
      await context.close();

      // The client sees it on their own live page.
      const client = await contextFor({ client_id: f.b.clientId }, width);
      await client.page.goto(`${php.baseUrl}/index.php?m=hypervrestore&view=live&run_id=${runId}`);
      await client.page.getByText('Hyper-V restore queued for VM').first().waitFor({ timeout: 15000 });
      assert.match(await client.page.locator('.hvr').innerText(), new RegExp(`D:\\\\Support\\\\w${width}`));
      await client.context.close();
    });
  }

  it('Can do all of it without a script error and without the browser ever calling the sidecar', () => {
    assert.deepEqual(problems, []);
    assert.ok(requested.length > 5);
    assert.deepEqual(requested.filter((u) => u.startsWith(sidecar.url)), []);
  });
});
