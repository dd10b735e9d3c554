// The WHMCS module under php-cli (php -S + our WHMCS harness) against the real sidecar on a MariaDB test database:
// signing, the unavailable page, login, CSRF and the admin area.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { canonicalString, sign } from '../../sidecar/lib/hmac.js';
import { createTestDatabase } from '../helpers/database.js';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';
import { createTestAppOn, TEST_BRIDGE_SECRET, type TestApp } from '../helpers/http.js';
import { listen, type Listening } from '../helpers/listening-app.js';
import { projectPath } from '../helpers/paths.js';
import { startPhpBridge, type PhpBridge } from '../helpers/php-bridge.js';
import { insertRestoreRun } from '../helpers/restore-runs.js';
import { MIGRATIONS } from '../../sql/migrations/index.js';

const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1].id;

const UNAVAILABLE = 'Restore service is temporarily unavailable';
// How PHP prints a problem with display_errors on (plain or HTML): "Warning: ... in /file.php on line 12".
const PHP_PROBLEM = /(Warning|Notice|Deprecated|Fatal error|Parse error)(<\/b>)?: .* in .*\.php(<\/b>)? on line/;

interface Vector { timestamp: string; nonce: string; method: string; path_and_query: string; client_id: string; admin_id: string; body: string; secret: string }

describe('WHMCS bridge module (php-cli)', function () {
  let t: TestApp;
  let f: Fixtures;
  let sidecar: Listening;
  let php: PhpBridge;
  let queuedRun: number;
  const get = (path: string, cookie = '') => fetch(php.baseUrl + path, { headers: { Cookie: cookie }, redirect: 'manual' });
  const nonceCount = async () => Number(((await t.db('s3_hyperv_restore_nonces').count({ n: '*' })) as { n: number }[])[0]!.n);

  before(async () => {
    t = createTestAppOn(await createTestDatabase('mariadb'));
    f = await seedFixtures(t.db);
    queuedRun = await insertRestoreRun(t.db, { jobId: f.a.jobId, agentId: f.a.agentId, vmId: f.a.vmId, vmName: f.a.vmName, status: 'queued', minute: 5 });
    await insertRestoreRun(t.db, { jobId: f.b.jobId, agentId: f.b.agentId, vmId: f.b.vmId, vmName: 'file server 01', status: 'failed', minute: 1 });
    sidecar = await listen(t.app);
    php = await startPhpBridge({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET });
  });
  afterEach(() => php.setSettings({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET }));
  after(async () => {
    await php?.stop();
    await sidecar?.close();
    await t?.drop();
  });

  describe('Signing', () => {
    it('Can sign exactly like the TypeScript side, byte for byte', () => {
      const vectors: Vector[] = [
        { timestamp: '1764000000', nonce: 'a'.repeat(32), method: 'GET', path_and_query: '/api/hyperv/backup-points?vm_id=7&limit=50', client_id: '12', admin_id: '', body: '', secret: TEST_BRIDGE_SECRET },
        { timestamp: '1764000001', nonce: 'Zz_-09'.repeat(4), method: 'post', path_and_query: '/api/hyperv/restores', client_id: '12', admin_id: '3', body: '{"backup_point_id":5,"target_path":"D:\\\\Restore\\\\ünï","disk_filter":["C:\\\\a.vhdx"]}', secret: 'k'.repeat(48) },
        { timestamp: '1', nonce: 'n'.repeat(64), method: 'POST', path_and_query: '/admin/api/runs/9/cancel', client_id: '', admin_id: '1', body: 'token=x&disk_filter%5B%5D=a', secret: 's3cr3t'.repeat(6) },
      ];
      const out = JSON.parse(execFileSync('php', [projectPath('test/bridge/whmcs-harness/sign.php')], { input: JSON.stringify(vectors) }).toString()) as { canonical: string; signature: string; nonce: string }[];
      vectors.forEach((v, i) => {
        const r = { timestamp: v.timestamp, nonce: v.nonce, method: v.method, pathAndQuery: v.path_and_query, clientId: v.client_id, adminId: v.admin_id, body: v.body };
        assert.equal(out[i]!.canonical, canonicalString(r));
        assert.equal(out[i]!.signature, sign(v.secret, r));
        assert.match(out[i]!.nonce, /^[A-Za-z0-9_-]{16,64}$/);
      });
      assert.equal(new Set(out.map((o) => o.nonce)).size, vectors.length, 'a fresh nonce each time');
    });

    it('Can sign every shared vector (test/fixtures/signature-vectors.json) exactly as expected', () => {
      const vectors = JSON.parse(readFileSync(projectPath('test/fixtures/signature-vectors.json'), 'utf8')) as (Vector & { canonical: string; signature: string })[];
      assert.ok(vectors.length >= 3);
      const out = JSON.parse(execFileSync('php', [projectPath('test/bridge/whmcs-harness/sign.php')], { input: JSON.stringify(vectors) }).toString()) as { canonical: string; signature: string }[];
      assert.deepEqual(out.map((o) => [o.canonical, o.signature]), vectors.map((v) => [v.canonical, v.signature]));
    });

    it('Can reach admin routes signed with the admin id, with a fresh nonce per request', async () => {
      const { cookie } = php.login({ admin_id: 1 });
      const before = await nonceCount();
      const res = await get('/addonmodules.php?module=hypervrestore', cookie);
      const html = await res.text();
      assert.equal(res.status, 200);
      assert.ok(html.includes(`data-run-id="${queuedRun}"`), html);
      assert.doesNotMatch(html, PHP_PROBLEM);
      await get('/addonmodules.php?module=hypervrestore&action=agents', cookie);
      // Two pages, and the restore-finished e-mail pass the runs page makes: its claim, and its acknowledgement of the
      // one ended restore of these fixtures (each a signed request of its own).
      assert.equal(await nonceCount(), before + 4);
    });
  });

  describe('Sidecar unavailable', () => {
    it('Cannot use a sidecar with a different secret: friendly page, a module log entry, nothing written', async () => {
      php.setSettings({ sidecar_url: sidecar.url, bridge_secret: 'w'.repeat(40) });
      const { cookie } = php.login({ client_id: f.a.clientId });
      const tables = await snapshotTables(t.db);
      const nonces = await nonceCount();
      const logged = php.moduleLog().length;
      const page = await get(`/index.php?m=hypervrestore&view=restore&vm_id=${f.a.vmId}`, cookie);
      const html = await page.text();
      assert.equal(page.status, 503);
      assert.ok(html.includes(`<h4>${UNAVAILABLE}</h4>`), html);
      assert.doesNotMatch(html, PHP_PROBLEM);
      const api = await get(`/index.php?m=hypervrestore&api=backup-points&vm_id=${f.a.vmId}`, cookie);
      assert.equal(api.status, 503);
      assert.deepEqual(await api.json(), { status: 'fail', message: UNAVAILABLE });
      const entries = php.moduleLog().slice(logged);
      assert.equal(entries.length, 2);
      assert.equal(entries[0]!.module, 'hypervrestore');
      assert.equal(entries[0]!.action, 'view:restore');
      assert.match(entries[0]!.response, /HTTP 401: the sidecar rejected the bridge signature/);
      assert.ok(!JSON.stringify(entries).includes('w'.repeat(40)), 'the secret is scrubbed from the log');
      assert.deepEqual(await snapshotTables(t.db), tables);
      assert.equal(await nonceCount(), nonces);
    });

    it('Can show the unavailable page, not a PHP warning, when the sidecar is down', async () => {
      php.setSettings({ sidecar_url: 'http://127.0.0.1:9', bridge_secret: TEST_BRIDGE_SECRET });
      const { cookie } = php.login({ client_id: f.a.clientId });
      const res = await get('/index.php?m=hypervrestore&view=hyperv', cookie);
      const html = await res.text();
      assert.equal(res.status, 503);
      assert.ok(html.includes(UNAVAILABLE));
      assert.doesNotMatch(html, PHP_PROBLEM);
      assert.match(php.moduleLog().at(-1)!.response, /^Sidecar http:\/\/127\.0\.0\.1:9: .*(connect|Connection refused)/i);
      const admin = await (await get('/addonmodules.php?module=hypervrestore', php.login({ admin_id: 1 }).cookie)).text();
      assert.match(admin, /Sidecar unreachable/);
      assert.doesNotMatch(admin, PHP_PROBLEM);
    });

    it('Rejects a Sidecar URL setting with a user, a password, a query or a fragment, each on its own: nothing is sent', async () => {
      const { cookie } = php.login({ client_id: f.a.clientId });
      const withUser = sidecar.url.replace('://', '://someone@');
      const withPassword = sidecar.url.replace('://', '://:secret@');
      for (const url of [withUser, withPassword, `${sidecar.url}/?x=1`, `${sidecar.url}/#top`]) {
        php.setSettings({ sidecar_url: url, bridge_secret: TEST_BRIDGE_SECRET });
        const nonces = await nonceCount();
        const res = await get(`/index.php?m=hypervrestore&api=vms`, cookie);
        assert.equal(res.status, 503, url);
        assert.deepEqual(await res.json(), { status: 'fail', message: UNAVAILABLE });
        assert.match(php.moduleLog().at(-1)!.response, /: The Sidecar URL setting is not a valid http\(s\) URL$/, url);
        assert.equal(await nonceCount(), nonces, `no request reached the sidecar for ${url}`);
      }
    });

    it('Can tell on activation whether the sidecar answers /healthz', async () => {
      const up = (await (await get('/activate.php')).json()) as { status: string; description: string };
      assert.equal(up.status, 'success');
      assert.match(up.description, new RegExp(`answers /healthz \\(database ok, schema ${LATEST_SCHEMA}\\)`));
      php.setSettings({ sidecar_url: 'http://127.0.0.1:9', bridge_secret: TEST_BRIDGE_SECRET });
      const down = (await (await get('/activate.php')).json()) as { status: string; description: string };
      assert.equal(down.status, 'info');
      assert.match(down.description, /did not answer \/healthz/);
    });
  });

  describe('Identity and CSRF', () => {
    it('Cannot reach anything without a logged-in client: the WHMCS login instead', async () => {
      const before = await nonceCount();
      const page = await (await get(`/index.php?m=hypervrestore&view=restore&vm_id=${f.a.vmId}&client_id=${f.a.clientId}`)).text();
      assert.ok(page.includes('id="whmcs-login"'));
      assert.ok(!page.includes('Hyper-V Restore</a>'), 'no navigation entry for guests');
      const api = await get(`/index.php?m=hypervrestore&api=backup-points&vm_id=${f.a.vmId}&client_id=${f.a.clientId}`);
      assert.equal(api.status, 401);
      assert.deepEqual(await api.json(), { status: 'fail', message: 'Please log in to use Hyper-V Restore' });
      assert.equal(await nonceCount(), before, 'nothing was sent to the sidecar');
    });

    it('Can show the "Hyper-V Restore" navigation entry to logged-in clients', async () => {
      const html = await (await get('/index.php', php.login({ client_id: f.b.clientId }).cookie)).text();
      assert.ok(html.includes('<a class="nav-item" href="index.php?m=hypervrestore">Hyper-V Restore</a>'));
    });

    it('Rejects a POST without the WHMCS CSRF token, before anything reaches the sidecar', async () => {
      const { cookie, csrf } = php.login({ client_id: f.a.clientId });
      const tables = await snapshotTables(t.db);
      const nonces = await nonceCount();
      const body = JSON.stringify({ backup_point_id: f.a.fullPointId, target_path: 'D:\\Restore' });
      const attempts: Record<string, string>[] = [{}, { 'X-CSRF-Token': 'wrong' }, { 'X-CSRF-Token': csrf.slice(1) }];
      for (const headers of attempts) {
        const res = await fetch(`${php.baseUrl}/index.php?m=hypervrestore&api=restores`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json', ...headers }, body });
        assert.equal(res.status, 403);
        assert.deepEqual(await res.json(), { status: 'fail', message: 'Your session token is missing or expired. Reload the page and try again.' });
      }
      assert.deepEqual(await snapshotTables(t.db), tables);
      assert.equal(await nonceCount(), nonces);
    });

    it('Rejects a body over 64 KiB before signing it', async () => {
      const { cookie, csrf } = php.login({ client_id: f.a.clientId });
      const nonces = await nonceCount();
      const res = await fetch(`${php.baseUrl}/index.php?m=hypervrestore&api=restores`, {
        method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
        body: JSON.stringify({ target_path: 'x'.repeat(70 * 1024) }),
      });
      assert.equal(res.status, 413);
      assert.deepEqual(await res.json(), { status: 'fail', message: 'Request body too large' });
      assert.equal(await nonceCount(), nonces);
    });

    it('Rejects API names and views outside the allow-list', async () => {
      const { cookie } = php.login({ client_id: f.a.clientId });
      const api = await get('/index.php?m=hypervrestore&api=../admin/api/runs', cookie);
      assert.equal(api.status, 404);
      assert.deepEqual(await api.json(), { status: 'fail', message: 'Not found' });
      const view = await get('/index.php?m=hypervrestore&view=admin', cookie);
      assert.equal(view.status, 404);
      const asset = await get('/index.php?m=hypervrestore&asset=../../admin/pages/runs', cookie);
      assert.equal(asset.status, 404);
      const method = await get('/index.php?m=hypervrestore&api=restores', cookie);
      assert.equal(method.status, 405);
    });
  });

  describe('Theme', () => {
    const themeOf = async (cookie: string) => /data-hvr-theme="([a-z0-9]+)"/.exec(await (await get('/index.php?m=hypervrestore&view=hyperv', cookie)).text())?.[1];

    it('Can dress the pages in the theme\'s Bootstrap: auto (Twenty-One and others: 4), or the setting', async () => {
      const { cookie } = php.login({ client_id: f.a.clientId });
      assert.equal(await themeOf(cookie), 'bootstrap4', 'auto, no Six theme: Bootstrap 4');
      php.setSettings({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET, theme: 'bootstrap3' });
      assert.equal(await themeOf(cookie), 'bootstrap3');
      const page = await (await get(`/index.php?m=hypervrestore&view=restore&vm_id=${f.a.vmId}`, cookie)).text();
      assert.match(page, /class="hvr-step panel panel-default"/, 'a wizard step is a Bootstrap 3 panel');
      php.setSettings({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET, theme: 'bootstrap4' });
      assert.equal(await themeOf(cookie), 'bootstrap4');
      php.setSettings({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET, theme: 'tailwind' });
      assert.equal(await themeOf(cookie), 'bootstrap4', 'an unknown setting is auto');
    });
  });

  describe('Admin area', () => {
    it('Can list runs of all clients with filters and a health line', async () => {
      const { cookie } = php.login({ admin_id: 1 });
      const html = await (await get('/addonmodules.php?module=hypervrestore&action=runs&status=failed&client_id=&vm=', cookie)).text();
      assert.match(html, new RegExp(`Sidecar reachable</span> http://127\\.0\\.0\\.1:\\d+: database ok, schema ${LATEST_SCHEMA}`));
      assert.ok(html.includes('1 run(s)'));
      assert.ok(!html.includes(`data-run-id="${queuedRun}"`));
      const byName = await (await get('/addonmodules.php?module=hypervrestore&action=runs&vm=server%200', cookie)).text();
      assert.ok(byName.includes('1 run(s)') && byName.includes('file server 01'), 'a VM name with spaces filters through the bridge');
      const bad = await (await get('/addonmodules.php?module=hypervrestore&action=runs&status=nope', cookie)).text();
      assert.ok(bad.includes('status must be equal to one of the allowed values'));
    });

    it("Can show a run's events with a cancel form carrying the WHMCS token", async () => {
      const { cookie, csrf } = php.login({ admin_id: 1 });
      const html = await (await get(`/addonmodules.php?module=hypervrestore&action=run&run_id=${queuedRun}`, cookie)).text();
      assert.ok(html.includes(`Hyper-V restore queued for VM &quot;${f.a.vmName}&quot; (2 disks).`), html);
      assert.ok(html.includes(`name="token" value="${csrf}"`));
      assert.ok(!html.includes('%%WHMCS_CSRF_TOKEN%%'));
    });

    it('Cannot leak the WHMCS token into text of the run: only the cancel form receives it', async () => {
      const bait = '%%WHMCS_CSRF_TOKEN%% <input type="hidden" name="token" data-hvr-csrf-slot>';
      const runId = await insertRestoreRun(t.db, { jobId: f.a.jobId, agentId: f.a.agentId, vmId: f.a.vmId, vmName: `vm ${bait}`, status: 'queued', minute: 6,
        targetPath: `D:\\Restore\\${bait}` });
      await t.db('s3_cloudbackup_runs').where('id', runId).update({ error_summary: bait, current_item: bait });
      const { cookie, csrf } = php.login({ admin_id: 1 });
      const html = await (await get(`/addonmodules.php?module=hypervrestore&action=run&run_id=${runId}`, cookie)).text();
      // WHMCS's own layout prints it once for its scripts; of the module's page, only the cancel form has it.
      const page = html.replace(`var csrfToken = ${JSON.stringify(csrf)}`, '');
      assert.equal(page.split(csrf).length - 1, 1, 'the token appears exactly once in the module page');
      assert.ok(html.includes(`<input type="hidden" name="token" value="${csrf}">`), 'in the cancel form');
      assert.ok(html.includes('vm %%WHMCS_CSRF_TOKEN%% &lt;input'), 'the VM name is shown as it was written');
      await t.db('s3_cloudbackup_runs').where('id', runId).update({ status: 'failed' });
    });

    it('Can cancel a queued restore from the admin page, only with the WHMCS token', async () => {
      const { cookie, csrf } = php.login({ admin_id: 1 });
      const url = `${php.baseUrl}/addonmodules.php?module=hypervrestore&action=cancel&run_id=${queuedRun}`;
      const form = (token: string) => ({ method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
      const refused = await (await fetch(url, form('nope'))).text();
      assert.ok(refused.includes('Your session token is missing or expired.'));
      assert.equal((await t.db('s3_cloudbackup_runs').where('id', queuedRun).first()).status, 'queued');
      const done = await (await fetch(url, form(csrf))).text();
      assert.ok(done.includes('alert-success" role="alert">Restore cancelled</div>'), done);
      assert.ok(done.includes('id="hypervrestore-run-status">cancelled<'), 'the run page shows the new status');
      assert.equal((await t.db('s3_cloudbackup_runs').where('id', queuedRun).first()).status, 'cancelled');
    });

    it('Cannot open the admin page as a client', async () => {
      const html = await (await get('/addonmodules.php?module=hypervrestore', php.login({ client_id: f.a.clientId }).cookie)).text();
      assert.ok(html.includes('id="whmcs-admin-login"'));
    });
  });

  describe('PHP server log', () => {
    it('Can serve all of the above without a single PHP warning, notice or error', () => {
      assert.doesNotMatch(php.output(), /PHP (Warning|Notice|Deprecated|Fatal error|Parse error)/);
    });
  });
});
