// The restore-finished e-mail end to end: the module's real AfterCronJob hook under php-cli (WHMCS's localAPI is the
// harness's recording stub) against the real sidecar on MariaDB. Each ended restore is e-mailed once, to its own
// client; what could not be sent is sent on a later pass; the setting turns it off; the template is made once.
import assert from 'node:assert/strict';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { createTestDatabase } from '../helpers/database.js';
import { seedFixtures, type Fixtures } from '../helpers/fixtures.js';
import { createTestAppOn, TEST_BRIDGE_SECRET, type TestApp } from '../helpers/http.js';
import { listen, type Listening } from '../helpers/listening-app.js';
import { startPhpBridge, type LocalApiCall, type PhpBridge } from '../helpers/php-bridge.js';
import { insertRestoreRun, type RestoreRunSpec } from '../helpers/restore-runs.js';

const TEMPLATE = 'Hyper-V Restore Finished';
const PHP_PROBLEM = /(Warning|Notice|Deprecated|Fatal error|Parse error)(<\/b>)?: .* in .*\.php(<\/b>)? on line/;
const EMAIL_NOTICE = 'We will e-mail you when it finishes.';

describe('WHMCS bridge: restore-finished e-mails (php-cli)', function () {
  let t: TestApp;
  let f: Fixtures;
  let sidecar: Listening;
  let php: PhpBridge;
  const settings = (extra: Record<string, string> = {}) => ({ sidecar_url: sidecar.url, bridge_secret: TEST_BRIDGE_SECRET, ...extra });
  const run = (spec: Partial<RestoreRunSpec> & Pick<RestoreRunSpec, 'status'>, owner: 'a' | 'b' = 'a') =>
    insertRestoreRun(t.db, { jobId: f[owner].jobId, agentId: f[owner].agentId, vmId: f[owner].vmId, vmName: f[owner].vmName, minute: 1, ...spec });
  /** Runs the cron hook once; returns the SendEmail calls it made. */
  const cronPass = async (): Promise<LocalApiCall[]> => {
    const before = php.localApiCalls().length;
    const out = await php.runHook('AfterCronJob');
    assert.doesNotMatch(out, PHP_PROBLEM, out);
    assert.match(out, /ran 1 AfterCronJob hook/);
    return php.localApiCalls().slice(before);
  };
  const runOf = (call: LocalApiCall) => Number(/run_id=(\d+)$/.exec(String(call.customvars_decoded?.hvr_live_path))?.[1]);
  const ownerOf = async (runId: number) => Number((await t.db('s3_cloudbackup_runs as r').join('s3_cloudbackup_jobs as j', 'j.id', 'r.job_id').where('r.id', runId).first('j.client_id')).client_id);
  /** Every e-mail goes to the client who owns the restore, never to another. */
  const assertOwnClients = async (calls: LocalApiCall[]) => {
    for (const call of calls) assert.equal(call.values.id, await ownerOf(runOf(call)), `restore ${runOf(call)} e-mailed to its owner`);
  };
  const get = (path: string, cookie: string) => fetch(php.baseUrl + path, { headers: { Cookie: cookie } });

  before(async () => {
    t = createTestAppOn(await createTestDatabase('mariadb'));
    f = await seedFixtures(t.db);
    sidecar = await listen(t.app);
    php = await startPhpBridge(settings());
  });
  afterEach(() => {
    php.setSettings(settings());
    php.failSendEmailFor([]);
  });
  after(async () => {
    await php?.stop();
    await sidecar?.close();
    await t?.drop();
  });

  describe('The e-mail template', () => {
    it('Can create the client template on activation once, and never overwrite an edited one', async () => {
      const first = (await (await fetch(`${php.baseUrl}/activate.php`)).json()) as { description: string };
      assert.match(first.description, /Created the client e-mail template "Hyper-V Restore Finished"/);
      const [template] = php.tableRows('tblemailtemplates');
      assert.equal(template?.type, 'general');
      assert.equal(template?.name, TEMPLATE);
      for (const field of ['hvr_vm_name', 'hvr_status', 'hvr_disks_text', 'hvr_target_path', 'hvr_files', 'hvr_next_steps', 'hvr_live_path']) {
        assert.ok(String(template?.message).includes(`$${field}`), `the template uses ${field}`);
      }
      assert.equal(String(template?.subject), 'Restore of {$hvr_vm_name}: {$hvr_status}');
      const edited = { ...template, subject: 'Your restore is done', message: '<p>Edited by the admin: {$hvr_status}</p>' };
      php.writeTableRows('tblemailtemplates', [edited]);
      const again = (await (await fetch(`${php.baseUrl}/activate.php`)).json()) as { description: string };
      assert.match(again.description, /already exists and was left as it is/);
      assert.deepEqual(php.tableRows('tblemailtemplates'), [edited]);
    });
  });

  describe('The cron pass', () => {
    it('Can e-mail each ended restore once, through SendEmail, to the client who owns it', async () => {
      const done = await run({ status: 'success', targetPath: 'D:\\Restore\\web', disks: [{ name: 'disk0.vhdx', status: 'done' }, { name: 'data.vhdx', status: 'done' }] });
      const failed = await run({ status: 'failed', errorSummary: 'The backup storage could not be read', disks: [{ name: 'os.vhdx', status: 'failed' }] }, 'b');
      const running = await run({ status: 'running' });
      const calls = await cronPass();
      assert.deepEqual(calls.map(runOf), [done, failed]);
      await assertOwnClients(calls);
      assert.deepEqual(calls.map((c) => [c.command, c.values.messagename, c.values.id]), [['SendEmail', TEMPLATE, f.a.clientId], ['SendEmail', TEMPLATE, f.b.clientId]]);
      const fields = calls[0]!.customvars_decoded!;
      assert.equal(fields.hvr_vm_name, f.a.vmName);
      assert.equal(fields.hvr_status, 'Completed');
      assert.equal(fields.hvr_disks_text, '2 of 2 disks restored');
      assert.deepEqual(fields.hvr_files, ['D:\\Restore\\web\\disk0.vhdx', 'D:\\Restore\\web\\data.vhdx']);
      assert.match(String(fields.hvr_next_steps), /Hyper-V Manager/);
      assert.equal(calls[1]!.customvars_decoded!.hvr_reason, 'The backup storage could not be read');
      assert.ok(!JSON.stringify(calls[0]).includes(f.b.vmName), "client A's e-mail says nothing of client B");
      assert.deepEqual(await cronPass(), [], 'a second pass sends nothing');
      await t.db('s3_cloudbackup_runs').where('id', running).update({ status: 'warning', finished_at: toDbTime() });
      assert.deepEqual((await cronPass()).map(runOf), [running]);
      assert.deepEqual(await cronPass(), []);
    });

    it('Can e-mail a restore cancelled through the client area (the real finish) once', async () => {
      const queued = await run({ status: 'queued' }, 'b');
      const { cookie, csrf } = php.login({ client_id: f.b.clientId });
      const res = await fetch(`${php.baseUrl}/index.php?m=hypervrestore&api=run-cancel&run=${queued}`, {
        method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body: '{}',
      });
      assert.equal(((await res.json()) as { message: string }).message, 'Restore cancelled');
      const calls = await cronPass();
      assert.deepEqual(calls.map((c) => [runOf(c), c.values.id, c.customvars_decoded?.hvr_status]), [[queued, f.b.clientId, 'Cancelled']]);
      assert.deepEqual(await cronPass(), []);
    });

    it('Can still e-mail a restore that ended while the sidecar was unreachable, on the next pass', async () => {
      php.setSettings(settings({ sidecar_url: 'http://127.0.0.1:9' }));
      const ended = await run({ status: 'success' });
      const logged = php.moduleLog().length;
      assert.deepEqual(await cronPass(), []);
      const entry = php.moduleLog().slice(logged)[0];
      assert.equal(entry?.action, 'notices:claim');
      assert.match(entry!.response, /^Sidecar http:\/\/127\.0\.0\.1:9: /);
      php.setSettings(settings());
      assert.deepEqual((await cronPass()).map(runOf), [ended]);
      assert.deepEqual(await cronPass(), []);
    });

    it('Can send a notice whose e-mail failed on the next pass, without sending the others again', async () => {
      const toA = await run({ status: 'success' });
      const toB = await run({ status: 'cancelled' }, 'b');
      php.failSendEmailFor([f.b.clientId]);
      const logged = php.moduleLog().length;
      const first = await cronPass();
      assert.deepEqual(first.map((c) => [runOf(c), c.result]), [[toA, 'success'], [toB, 'error']]);
      const entry = php.moduleLog().slice(logged).find((e) => e.action === 'notices:send');
      assert.match(entry!.response, /WHMCS SendEmail failed: Email Sending Failed/);
      assert.match(entry!.request, new RegExp(`client ${f.b.clientId}, restore ${toB}`));
      php.failSendEmailFor([]);
      const second = await cronPass();
      assert.deepEqual(second.map((c) => [runOf(c), c.values.id, c.result]), [[toB, f.b.clientId, 'success']]);
      assert.deepEqual(await cronPass(), []);
    });

    it('Cannot e-mail anything with the setting off, nor later for the restores that ended while it was off', async () => {
      php.setSettings(settings({ notify_client: '' }));
      await run({ status: 'success' });
      await run({ status: 'failed' }, 'b');
      assert.deepEqual(await cronPass(), []);
      php.setSettings(settings({ notify_client: 'on' }));
      assert.deepEqual(await cronPass(), [], 'turning it on again does not send the old ones');
      const later = await run({ status: 'success' }, 'b');
      assert.deepEqual((await cronPass()).map(runOf), [later]);
    });

    it('Can deliver due e-mails when an admin opens the module page', async () => {
      const ended = await run({ status: 'failed' });
      const before = php.localApiCalls().length;
      const html = await (await get('/addonmodules.php?module=hypervrestore', php.login({ admin_id: 1 }).cookie)).text();
      assert.doesNotMatch(html, PHP_PROBLEM);
      assert.deepEqual(php.localApiCalls().slice(before).map(runOf), [ended]);
      assert.deepEqual(await cronPass(), []);
    });
  });

  describe('The live page', () => {
    it('Can say "We will e-mail you when it finishes" only while the setting is on and the restore runs', async () => {
      const running = await run({ status: 'running' });
      const finished = await run({ status: 'success' });
      const { cookie } = php.login({ client_id: f.a.clientId });
      const live = async (runId: number, extra = '') => (await get(`/index.php?m=hypervrestore&view=live&run_id=${runId}${extra}`, cookie)).text();
      assert.ok((await live(running)).includes(EMAIL_NOTICE));
      assert.ok(!(await live(finished)).includes(EMAIL_NOTICE), 'not once it has ended');
      php.setSettings(settings({ notify_client: '' }));
      assert.ok(!(await live(running)).includes(EMAIL_NOTICE));
      assert.ok(!(await live(running, '&notice=on')).includes(EMAIL_NOTICE), 'the browser cannot turn it on');
      php.setSettings(settings());
      assert.ok((await live(running, '&notice=off')).includes(EMAIL_NOTICE), 'nor off');
    });
  });

  describe('PHP server log', () => {
    it('Can serve all of the above without a single PHP warning, notice or error', () => {
      assert.doesNotMatch(php.output(), /PHP (Warning|Notice|Deprecated|Fatal error|Parse error)/);
    });
  });
});
