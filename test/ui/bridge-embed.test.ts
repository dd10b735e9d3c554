// The same pages as WHMCS shows them: fragments inside a Bootstrap 4 client-area page, every call going through a
// stand-in of the bridge (the mapping of docs/pages.md, signed like the PHP module, CSRF token checked on POST).
// Also proves the fragment's CSS leaves the host page's own elements exactly as they were.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { screenshot, watchPageErrors } from '../helpers/browser.js';
import { installFakeBridge, WHMCS_ORIGIN } from '../helpers/fake-bridge.js';
import { TEST_BRIDGE_SECRET } from '../helpers/http.js';
import { restoreRuns, setUpWorld, tearDownWorld, type UiWorld } from '../helpers/ui-world.js';

const HOST_ELEMENTS = ['html', 'body', '.navbar', '.navbar-brand', '#host-heading', '#host-link', '#host-table', '#host-table td', '#host-button', '#host-text',
  '.list-group-item', '#host-form', '#host-fieldset', '#host-legend', '#host-label', '#host-input', '#host-check', '#host-plain-button', '#host-h3',
  '#host-ol', '#host-ol li', '#host-code', '#host-badge', '#host-alert', '#host-progress', '#host-progress .progress-bar'];
const PROPERTIES = ['font-family', 'font-size', 'font-weight', 'line-height', 'color', 'background-color', 'margin', 'padding', 'border',
  'border-radius', 'box-sizing', 'display', 'text-align', 'width', 'height', 'outline', 'text-decoration', 'list-style-type', 'float', 'position',
  'accent-color', 'transition', 'white-space', 'word-break', 'vertical-align'];

async function hostStyles(page: Page): Promise<Record<string, Record<string, string>>> {
  return page.evaluate(({ selectors, properties }) => {
    const out: Record<string, Record<string, string>> = {};
    for (const selector of selectors) {
      const el = document.querySelector(selector);
      if (!el) throw new Error(`host element ${selector} missing`);
      const style = getComputedStyle(el);
      out[selector] = Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]));
    }
    // The page grows by the fragment's own height; that is content, not a leaked style.
    delete out.html!.height;
    delete out.body!.height;
    return out;
  }, { selectors: HOST_ELEMENTS, properties: PROPERTIES });
}

describe('Restore pages inside a WHMCS (Bootstrap) page, through the bridge', function () {
  let world: UiWorld;
  before(async () => (world = await setUpWorld()));
  after(() => tearDownWorld(world));

  const open = async (withoutFragment = false) => {
    const page = await world.browser.newPage({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    await installFakeBridge(page, { sidecarUrl: world.sidecar.baseUrl, secret: TEST_BRIDGE_SECRET, clientId: 1, withoutFragment });
    return page;
  };

  it('Can leave the host page\'s own styles untouched', async () => {
    const bare = await open(true);
    await bare.goto(`${WHMCS_ORIGIN}/index.php?m=hypervrestore&view=hyperv`);
    const before = await hostStyles(bare);
    await bare.close();
    const page = await open();
    const problems = watchPageErrors(page);
    await page.goto(`${WHMCS_ORIGIN}/index.php?m=hypervrestore&view=restore&vm_id=${world.demo.vmId}`);
    await page.locator('tr.hvr-point').first().waitFor();
    assert.deepEqual(await hostStyles(page), before);
    assert.equal(await page.locator('link[href*="bootstrap"]').count(), 1, 'the host page really has Bootstrap');
    await page.close();
    assert.deepEqual(problems, []);
  });

  it('Can walk from the VM list to the live page with every call going through the bridge', async () => {
    const page = await open();
    const problems = watchPageErrors(page);
    const direct: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(WHMCS_ORIGIN)) direct.push(r.url()); });
    await page.goto(`${WHMCS_ORIGIN}/index.php?m=hypervrestore&view=hyperv`);
    await page.getByRole('heading', { name: 'web-01' }).waitFor();
    await screenshot(page, '20-bridge-vm-list');
    await page.getByRole('link', { name: 'Restore web-01' }).click();
    await page.waitForURL(`${WHMCS_ORIGIN}/index.php?m=hypervrestore&view=restore&vm_id=${world.demo.vmId}`);
    await page.locator('tr.hvr-point input[type=radio]').first().check();
    await screenshot(page, '21-bridge-wizard');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Target folder on your Hyper-V host').fill('D:\\Bridge\\web-01');
    await page.getByRole('button', { name: 'Review' }).click();
    const before = (await restoreRuns(world)).length;
    await page.getByRole('button', { name: 'Start restore' }).click();
    await page.waitForURL(/\/index\.php\?m=hypervrestore&view=live&run_id=\d+$/);
    await page.locator('.hvr-event').first().waitFor();
    assert.match(await page.locator('[data-hvr-events]').innerText(), /Hyper-V restore queued for VM "web-01" \(2 disks\)\./);
    await screenshot(page, '22-bridge-live');
    assert.equal((await restoreRuns(world)).length, before + 1);
    assert.deepEqual(direct, [], 'the browser never talks to the sidecar itself');
    await page.close();
    assert.deepEqual(problems, []);
  });
});
