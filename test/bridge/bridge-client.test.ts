// The client area through the WHMCS module (php -S + harness) against the real sidecar: pages, the client API and
// assets, always as the client of the WHMCS session, whatever the request says.
import assert from 'node:assert/strict';
import { createTestDatabase } from '../helpers/database.js';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { createTestAppOn, TEST_BRIDGE_SECRET, type TestApp } from '../helpers/http.js';
import { listen, type Listening } from '../helpers/listening-app.js';
import { startPhpBridge, type PhpBridge } from '../helpers/php-bridge.js';

// How PHP prints a problem with display_errors on (plain or HTML): "Warning: ... in /file.php on line 12".
const PHP_PROBLEM = /(Warning|Notice|Deprecated|Fatal error|Parse error)(<\/b>)?: .* in .*\.php(<\/b>)? on line/;
// Headers a forged request might add; none of them may change who the bridge signs for.
const FORGED = { 'X-Bridge-Client-Id': '2', 'X-Client-Id': '2', 'X-Bridge-Admin-Id': '1' };

describe('WHMCS bridge client area (php-cli)', function () {
  let t: TestApp;
  let f: Fixtures;
  let sidecar: Listening;
  let php: PhpBridge;
  let cookie: string;
  let csrf: string;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(php.baseUrl + path, { headers: { Cookie: cookie, ...headers } });

  before(async () => {
    t = createTestAppOn(await createTestDatabase('mariadb'));
    f = await seedFixtures(t.db);
    sidecar = await listen(t.app);
    php = await startPhpBridge({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET });
    ({ cookie, csrf } = php.login({ client_id: f.a.clientId }));
  });
  after(async () => {
    await php?.stop();
    await sidecar?.close();
    await t?.drop();
  });

  it("Can show the restore wizard for the session's VM inside the client area", async () => {
    const res = await get(`/index.php?m=hypervrestore&view=restore&vm_id=${f.a.vmId}`);
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.ok(html.includes(`Restore “${f.a.vmName}”`), html);
    assert.ok(html.includes('data-hvr-mode="bridge" data-hvr-api-base="index.php?m&#x3D;hypervrestore"'), 'API calls go back through the bridge');
    assert.ok(html.includes('<a class="nav-item" href="index.php?m=hypervrestore">Hyper-V Restore</a>'));
    assert.ok(html.includes(`data-hvr-csrf="${csrf}"`));
    assert.doesNotMatch(html, PHP_PROBLEM);
  });

  it('Can list the VMs with restore links that stay inside WHMCS', async () => {
    const html = await (await get('/index.php?m=hypervrestore')).text();
    assert.ok(html.includes(`href="index.php?m&#x3D;hypervrestore&amp;view&#x3D;restore&amp;vm_id&#x3D;${f.a.vmId}"`), html);
    assert.ok(!html.includes(f.b.vmName), "another client's VM never shows");
  });

  it("Cannot be made to act as another client by a client_id parameter or header", async () => {
    const foreign = await get(`/index.php?m=hypervrestore&view=restore&vm_id=${f.b.vmId}&client_id=${f.b.clientId}`, FORGED);
    const foreignHtml = await foreign.text();
    assert.equal(foreign.status, 404);
    assert.ok(foreignHtml.includes('VM not found or access denied'));
    assert.ok(!foreignHtml.includes(f.b.vmName));
    const own = await get(`/index.php?m=hypervrestore&view=restore&vm_id=${f.a.vmId}&client_id=${f.b.clientId}`, FORGED);
    assert.equal(own.status, 200);
    assert.ok((await own.text()).includes(`Restore “${f.a.vmName}”`));
    const list = await (await get(`/index.php?m=hypervrestore&view=hyperv&client_id=${f.b.clientId}`, FORGED)).text();
    assert.ok(list.includes(f.a.vmName) && !list.includes(f.b.vmName));
  });

  it('Can proxy the page assets with their content type', async () => {
    const js = await get('/index.php?m=hypervrestore&asset=scripts/api.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(await js.text(), /HvrApi/);
    const missing = await get('/index.php?m=hypervrestore&asset=scripts/nope.js');
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { status: 'fail', message: 'Not found' });
  });

  it('Rejects malformed view parameters without calling the sidecar', async () => {
    const tables = await snapshotTables(t.db);
    const res = await get('/index.php?m=hypervrestore&view=restore&vm_id=1%27%20OR%201%3D1');
    assert.equal(res.status, 400);
    assert.ok((await res.text()).includes('Bad request'));
    assert.deepEqual(await snapshotTables(t.db), tables);
  });

  describe('PHP server log', () => {
    it('Can serve all of the above without a single PHP warning, notice or error', () => {
      assert.doesNotMatch(php.output(), /PHP (Warning|Notice|Deprecated|Fatal error|Parse error)/);
    });
  });
});
