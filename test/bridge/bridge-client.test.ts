// The client area through the WHMCS module (php -S + harness) against the real sidecar: pages, the client API and
// assets, always as the client of the WHMCS session, whatever the request says.
import assert from 'node:assert/strict';
import express from 'express';
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
  const encodings: string[] = [];
  const get = (path: string, headers: Record<string, string> = {}) => fetch(php.baseUrl + path, { headers: { Cookie: cookie, ...headers } });

  before(async () => {
    t = createTestAppOn(await createTestDatabase('mariadb'));
    f = await seedFixtures(t.db);
    // What the sidecar answered the bridge with, per request: its Content-Encoding.
    const outer = express();
    outer.use((_req, res, next) => {
      res.on('finish', () => encodings.push(String(res.getHeader('content-encoding') ?? 'identity')));
      next();
    });
    outer.use(t.app);
    sidecar = await listen(outer);
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
    assert.ok(foreignHtml.includes('This VM was not found.'));
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

  it('Rejects control characters or oversized values without calling the sidecar, and leaves the rest to its validation', async () => {
    const tables = await snapshotTables(t.db);
    const nonces = Number(((await t.db('s3_hyperv_restore_nonces').count({ n: '*' })) as { n: number }[])[0]!.n);
    for (const value of ['1%0A2', 'x'.repeat(300)]) {
      const res = await get(`/index.php?m=hypervrestore&view=restore&vm_id=${value}`);
      assert.equal(res.status, 400);
      assert.ok((await res.text()).includes('<div class="alert alert-danger" role="alert">Bad request</div>'));
    }
    assert.equal(Number(((await t.db('s3_hyperv_restore_nonces').count({ n: '*' })) as { n: number }[])[0]!.n), nonces, 'nothing was signed');
    const injected = await get('/index.php?m=hypervrestore&view=restore&vm_id=1%27%20OR%201%3D1');
    assert.equal(injected.status, 404);
    assert.ok((await injected.text()).includes('This VM was not found.'));
    assert.deepEqual(await snapshotTables(t.db), tables);
  });

  describe('Client API through the bridge', () => {
    const api = (query: string, init: RequestInit = {}) =>
      fetch(`${php.baseUrl}/index.php?m=hypervrestore&${query}`, { ...init, headers: { Cookie: cookie, ...FORGED, ...(init.headers as Record<string, string>) } });
    const post = (query: string, body: string, contentType = 'application/json', headers: Record<string, string> = { 'X-CSRF-Token': csrf }) =>
      api(query, { method: 'POST', body, headers: { 'Content-Type': contentType, ...headers } });
    const runsOf = async (clientJobId: number) => Number(((await t.db('s3_cloudbackup_runs').where({ job_id: clientJobId, run_type: 'hyperv_restore' }).count({ n: '*' })) as { n: number }[])[0]!.n);
    let runId = 0;

    it("Can list the session client's restore points, and 404 for another client's VM", async () => {
      const res = await api(`api=backup-points&vm_id=${f.a.vmId}&limit=2&client_id=${f.b.clientId}`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { status: string; vm: { id: number }; backup_points: { id: number; is_restorable: boolean }[]; total: number; limit: number };
      assert.equal(body.status, 'success');
      assert.equal(body.vm.id, f.a.vmId);
      assert.deepEqual(body.backup_points.map((p) => p.id), [f.a.incrementalPointIds[1], f.a.incrementalPointIds[0]]);
      assert.equal(body.total, 3);
      assert.equal(body.limit, 2);
      const foreign = await api(`api=backup-points&vm_id=${f.b.vmId}&client_id=${f.b.clientId}`);
      assert.equal(foreign.status, 404);
      assert.deepEqual(await foreign.json(), { status: 'fail', message: 'VM not found or access denied' });
    });

    it('Can receive a listing page gzip-compressed from the sidecar and hand it on decoded', async () => {
      encodings.length = 0;
      const res = await api(`api=backup-points&vm_id=${f.a.vmId}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-encoding'), null);
      const body = (await res.json()) as { backup_points: { restore_chain_length: number }[] };
      assert.deepEqual(body.backup_points.map((p) => p.restore_chain_length), [3, 2, 1]);
      assert.deepEqual(encodings, ['gzip']);
    });

    it('Can start a restore for the session client (JSON body), whatever client id the request carries', async () => {
      const before = await runsOf(f.b.jobId);
      const body = JSON.stringify({ backup_point_id: f.a.incrementalPointIds[1], target_path: 'D:\\Restores\\web-a', client_id: f.b.clientId });
      const res = await post(`api=restores&client_id=${f.b.clientId}`, body);
      const json = (await res.json()) as { status: string; message: string; restore_run_id: number; disks_to_restore: number };
      assert.equal(res.status, 200, JSON.stringify(json));
      assert.equal(json.message, 'Hyper-V restore started');
      assert.equal(json.disks_to_restore, 2);
      runId = json.restore_run_id;
      const run = await t.db('s3_cloudbackup_runs').where('id', runId).first();
      assert.equal(Number(run.job_id), f.a.jobId, "the run belongs to the session client's job");
      assert.equal(run.status, 'queued');
      assert.equal(await runsOf(f.b.jobId), before, 'nothing was started for the other client');
    }).timeout(20000);

    it('Can start a restore from a form body with the token field and PHP-style arrays', async () => {
      const form = new URLSearchParams({ token: csrf, backup_point_id: String(f.a.derivedPointId), target_path: 'E:\\Restore\\db-a' });
      form.append('disk_filter[]', f.a.derivedDiskPaths[0]!);
      const res = await post('api=restores', form.toString(), 'application/x-www-form-urlencoded', {});
      const json = (await res.json()) as { status: string; restore_run_id: number; disks_to_restore: number };
      assert.equal(res.status, 200, JSON.stringify(json));
      assert.equal(json.disks_to_restore, 1);
      const command = await t.db('s3_cloudbackup_run_commands').where('run_id', json.restore_run_id).first();
      const payload = typeof command.payload_json === 'string' ? JSON.parse(command.payload_json) : command.payload_json;
      assert.deepEqual(Object.keys(payload.disk_manifests), f.a.derivedDiskPaths);
    });

    it('Can pass the sidecar\'s 4xx answers through unchanged', async () => {
      const res = await post('api=restores', JSON.stringify({ backup_point_id: f.a.fullPointId }));
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { status: 'fail', message: 'target_path is required' });
      const foreign = await post('api=restores', JSON.stringify({ backup_point_id: f.b.fullPointId, target_path: 'D:\\X' }));
      assert.equal(foreign.status, 404);
      assert.deepEqual(await foreign.json(), { status: 'fail', message: 'Backup point not found' });
    });

    it('Can follow the run (run, events, live page) and cancel it', async () => {
      const run = (await (await api(`api=run&run=${runId}`)).json()) as { run: { id: number; status: string } };
      assert.deepEqual([run.run.id, run.run.status], [runId, 'queued']);
      const events = (await (await api(`api=run-events&run=${runId}&after=0`)).json()) as { events: { message_id: string }[] };
      assert.equal(events.events[0]!.message_id, 'HYPERV_RESTORE_QUEUED');
      const live = await api(`view=live&run_id=${runId}`);
      assert.equal(live.status, 200);
      const refused = await api(`api=run-cancel&run=${runId}`, { method: 'POST' });
      assert.equal(refused.status, 403, 'no CSRF token, no cancel');
      const cancel = await post(`api=run-cancel&run=${runId}`, '');
      assert.equal(cancel.status, 200);
      assert.equal(((await cancel.json()) as { message: string }).message, 'Restore cancelled');
      assert.equal((await t.db('s3_cloudbackup_runs').where('id', runId).first()).status, 'cancelled');
    });

    it('Can record an admin acting as the client ("Login as Owner") as the actor, and only then', async () => {
      const queuedBy = async (session: { admin_id: number; masquerading: boolean }, target: string) => {
        const login = php.login({ client_id: f.a.clientId, ...session });
        const res = await fetch(`${php.baseUrl}/index.php?m=hypervrestore&api=restores`, {
          method: 'POST', headers: { Cookie: login.cookie, 'X-CSRF-Token': login.csrf, 'Content-Type': 'application/json' },
          body: JSON.stringify({ backup_point_id: f.a.fullPointId, target_path: target }),
        });
        const { restore_run_id: id } = (await res.json()) as { restore_run_id: number };
        const event = await t.db('s3_cloudbackup_run_events').where({ run_id: id, message_id: 'HYPERV_RESTORE_QUEUED' }).first();
        return (JSON.parse(event.params_json) as { admin_id: number | null }).admin_id;
      };
      assert.equal(await queuedBy({ admin_id: 7, masquerading: true }, 'F:\\Owner'), 7);
      assert.equal(await queuedBy({ admin_id: 7, masquerading: false }, 'F:\\Client'), null);
    });

    it("Cannot read or cancel another client's run", async () => {
      const [bRun] = await t.db('s3_cloudbackup_runs').insert({ job_id: f.b.jobId, run_type: 'hyperv_restore', status: 'queued', run_uuid: null, stats_json: '{}' });
      for (const res of [await api(`api=run&run=${bRun}`), await post(`api=run-cancel&run=${bRun}`, '')]) {
        assert.equal(res.status, 404);
        assert.deepEqual(await res.json(), { status: 'fail', message: 'Run not found' });
      }
      assert.equal((await t.db('s3_cloudbackup_runs').where('id', bRun).first()).status, 'queued');
    });
  });

  describe('PHP server log', () => {
    it('Can serve all of the above without a single PHP warning, notice or error', () => {
      assert.doesNotMatch(php.output(), /PHP (Warning|Notice|Deprecated|Fatal error|Parse error)/);
    });
  });
});
