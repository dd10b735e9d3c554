// The wizard's host choice in Chromium at 1280 and 390 px: the client's active hosts with their names and online
// state, the job's agent chosen by default, never another client's or a disabled host; the earlier-restore warning
// follows the host chosen; the restore starts on the host chosen.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { screenshot, watchPageErrors } from '../helpers/browser.js';
import { insertAgent } from '../helpers/fixtures.js';
import { restoreRuns, setUpWorld, tearDownWorld, type UiWorld } from '../helpers/ui-world.js';

for (const width of [1280, 390]) {
  describe(`Wizard host choice in Chromium (${width} px)`, function () {
    let world: UiWorld;
    let page: Page;
    let problems: string[];
    let spare: number;

    before(async () => {
      world = await setUpWorld();
      const db = world.database.db;
      spare = await insertAgent(db, 1, 'ui-spare-host-token-' + 's'.repeat(32));
      await db('s3_cloudbackup_agents').where('id', spare).update({ hostname: 'HV-SPARE-02', last_seen_at: toDbTime(new Date(Date.now() - 3 * 3600_000)) });
      const retired = await insertAgent(db, 1, 'ui-retired-host-token-' + 'r'.repeat(32), 'disabled');
      await db('s3_cloudbackup_agents').where('id', retired).update({ hostname: 'HV-RETIRED' });
      // A finished restore on the job's own host left both disks in C:\Restores\web-01.
      const res = await fetch(`${world.sidecar.baseUrl}/api/hyperv/restores`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ backup_point_id: world.demo.backupPointIds[0], target_path: 'C:\\Restores\\web-01' }),
      });
      const runId = ((await res.json()) as { restore_run_id: number }).restore_run_id;
      const run = await db('s3_cloudbackup_runs').where('id', runId).first('progress_json');
      const progress = JSON.parse(String(run.progress_json)) as { disks: Record<string, unknown>[] };
      for (const d of progress.disks) Object.assign(d, { status: 'done', bytes_total: 1024, bytes_done: 1024 });
      await db('s3_cloudbackup_runs').where('id', runId).update({ status: 'success', started_at: toDbTime(), finished_at: toDbTime(), progress_json: JSON.stringify(progress) });
      await db('s3_cloudbackup_run_commands').where('run_id', runId).update({ status: 'completed', processed_at: toDbTime() });
    });
    after(() => tearDownWorld(world));
    beforeEach(async () => {
      page = await world.browser.newPage({ viewport: { width, height: 900 }, reducedMotion: 'reduce' });
      problems = watchPageErrors(page);
    });
    afterEach(async () => {
      await page.close();
      assert.deepEqual(problems, [], 'the page reported no errors');
    });

    async function atStep2(): Promise<void> {
      await page.goto(`${world.sidecar.baseUrl}/pages/hyperv-restore?vm_id=${world.demo.vmId}`);
      await page.locator(`tr[data-point-id="${world.demo.backupPointIds.at(-1)}"] input[type=radio]`).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Target folder on your Hyper-V host').waitFor();
    }

    it('Can offer the client\'s hosts with their state, the job\'s host first and chosen', async () => {
      await atStep2();
      const hosts = page.locator('[data-hvr-host]');
      assert.equal(await hosts.count(), 2);
      const texts = (await hosts.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.match(texts[0]!, /^HV-DEMO-01 Online backs this VM up Connected now$/);
      assert.match(texts[1]!, /^HV-SPARE-02 Offline Last seen .+$/);
      const body = await page.locator('.hvr').innerText();
      assert.ok(!body.includes('HV-OTHER') && !body.includes('HV-RETIRED'), 'another client\'s host and a disabled host are not offered');
      assert.equal(await page.getByRole('radio', { name: /HV-DEMO-01/ }).isChecked(), true);
      await page.getByRole('radio', { name: /HV-SPARE-02/ }).check();
      await page.locator('[data-hvr-host-offline]').waitFor();
      assert.match(await page.locator('[data-hvr-host-offline]').innerText(), /This host is offline: the restore waits and starts when its agent connects again\./);
      await screenshot(page, `50-host-choice-${width}`);
    });

    it('Can warn about the earlier restore\'s files only on the host that holds them', async () => {
      await atStep2();
      await page.getByRole('button', { name: 'Review' }).click();
      await page.locator('[data-hvr-folder-warning]').waitFor();
      await page.getByRole('button', { name: 'Back', exact: true }).click();
      await page.getByRole('radio', { name: /HV-SPARE-02/ }).check();
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByRole('heading', { name: 'Review and start' }).waitFor();
      assert.equal(await page.locator('[data-hvr-folder-warning]').isVisible(), false, 'another host\'s folder is another folder');
      assert.match(await page.locator('.hvr-summary').innerText(), /Hyper-V host\s+HV-SPARE-02 \(offline\)/);
      await screenshot(page, `51-host-review-${width}`);
    });

    it('Can start the restore on the chosen host', async () => {
      const before = (await restoreRuns(world)).length;
      await atStep2();
      await page.getByRole('radio', { name: /HV-SPARE-02/ }).check();
      await page.getByLabel('Target folder on your Hyper-V host').fill(`D:\\Spare\\w${width}`);
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByRole('button', { name: 'Start restore' }).click();
      await page.waitForURL(/\/pages\/live\?run_id=\d+$/);
      const runs = await restoreRuns(world);
      assert.equal(runs.length, before + 1);
      assert.equal(Number(runs.at(-1)!.agent_id), spare);
      const command = await world.database.db('s3_cloudbackup_run_commands').where('run_id', Number(runs.at(-1)!.id)).first('agent_id');
      assert.equal(Number(command.agent_id), spare);
    });
  });
}
