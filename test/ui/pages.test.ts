// The pages as HTML: escaping, not-found answers that never reveal another client's data, bridge vs demo links.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, clientGet, type TestApp } from '../helpers/http.js';
import { insertDisks, insertPoint, insertVm, seedFixtures, type Fixtures } from '../helpers/fixtures.js';
import { createTestDatabase, testDialects } from '../helpers/database.js';
import { createTestAppOn } from '../helpers/http.js';

const EVIL = '<script>alert("pwned")</script> & <b>bold</b>';

for (const dialect of testDialects()) describe(`Pages (bridge fragments, ${dialect})`, function () {
  let t: TestApp;
  let f: Fixtures;
  let evilVmId: number;

  before(async () => {
    t = await createTestApp(dialect);
    f = await seedFixtures(t.db);
    evilVmId = await insertVm(t.db, f.a.jobId, EVIL);
    await insertDisks(t.db, evilVmId, ['C:\\VMs\\evil\\<img src=x onerror=alert(1)>.vhdx']);
    await insertPoint(t.db, { vmId: evilVmId, jobId: f.a.jobId, type: 'Full', diskPaths: ['C:\\VMs\\evil\\<img src=x onerror=alert(1)>.vhdx'], minute: 50 });
  });
  after(() => t.drop());

  it('Can show a VM name with <script> as text on the VM list', async () => {
    const res = await clientGet(t.app, 1, '/pages/hyperv').expect(200);
    assert.match(res.type, /html/);
    assert.ok(!res.text.includes('<script>alert'), 'the VM name is never markup');
    assert.ok(!res.text.includes('<img src=x'), 'a disk path is never markup');
    assert.ok(res.text.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'));
    assert.ok(!res.text.includes('<!doctype html>'), 'the bridge gets a fragment, not a document');
    assert.ok(res.text.includes(`href="index.php?m&#x3D;hypervrestore&amp;view&#x3D;restore&amp;vm_id&#x3D;${evilVmId}"`));
  });

  it('Can show a VM name with <script> as text in the wizard, including its JSON config', async () => {
    const res = await clientGet(t.app, 1, `/pages/hyperv-restore?vm_id=${evilVmId}`).expect(200);
    const scripts = res.text.match(/<script[^>]*>/g) ?? [];
    assert.ok(scripts.every((s) => /type="application\/json"|src="index\.php\?m&#x3D;hypervrestore&amp;asset&#x3D;/.test(s)), scripts.join('\n'));
    assert.ok(!res.text.includes('</script> &'), 'the config JSON cannot close its script element');
    const config = /<script type="application\/json" data-hvr-config>(.*?)<\/script>/s.exec(res.text)?.[1] ?? '';
    assert.ok(config.includes('\\u003c'), config);
    assert.equal(JSON.parse(config).vmId, evilVmId);
    assert.ok(res.text.includes('Restore “&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;'));
  });

  it('Can list only the signed-in client\'s VMs', async () => {
    const res = await clientGet(t.app, 2, '/pages/hyperv').expect(200);
    assert.ok(res.text.includes(f.b.vmName));
    assert.ok(!res.text.includes(f.a.vmName) && !res.text.includes('pwned'));
  });

  it('Cannot open the wizard for another client\'s VM: it answers exactly like a missing one', async () => {
    const foreign = await clientGet(t.app, 1, `/pages/hyperv-restore?vm_id=${f.b.vmId}`).expect(404);
    const missing = await clientGet(t.app, 1, '/pages/hyperv-restore?vm_id=999999').expect(404);
    assert.equal(foreign.text, missing.text);
    assert.ok(foreign.text.includes('This VM was not found.'), 'the page says it in the customer\'s words');
    assert.ok(!foreign.text.includes('access denied'));
    assert.ok(!foreign.text.includes(f.b.vmName));
    assert.ok(!foreign.text.includes('x-data'), 'no wizard is rendered');
  });

  it('Rejects a missing or malformed vm_id with a clear message', async () => {
    const missing = await clientGet(t.app, 1, '/pages/hyperv-restore').expect(400);
    assert.ok(missing.text.includes('No VM was chosen to restore. Pick one from your Hyper-V VMs.'));
    assert.ok(!missing.text.includes('vm_id'), 'no API field names on a page');
    const bad = await clientGet(t.app, 1, '/pages/hyperv-restore?vm_id=1%20OR%201=1').expect(404);
    assert.ok(bad.text.includes('This VM was not found.'));
  });

  it('Cannot open the live page of another client\'s run: it answers exactly like a missing one', async () => {
    const [runId] = await t.db('s3_cloudbackup_runs').insert({
      job_id: f.b.jobId, status: 'queued', run_type: 'hyperv_restore', run_uuid: '0b7d1c1e-5b0e-4a53-9b5e-3c1d2e3f4a5b',
      stats_json: JSON.stringify({ vm_name: f.b.vmName, target_path: 'D:\\Secret' }),
    });
    const foreign = await clientGet(t.app, 1, `/pages/live?run_id=${runId}`).expect(404);
    const byUuid = await clientGet(t.app, 1, '/pages/live?run_id=0b7d1c1e-5b0e-4a53-9b5e-3c1d2e3f4a5b').expect(404);
    const missing = await clientGet(t.app, 1, '/pages/live?run_id=999999').expect(404);
    assert.equal(foreign.text, missing.text);
    assert.equal(byUuid.text, missing.text);
    assert.ok(missing.text.includes('This restore was not found.'));
    assert.ok(!foreign.text.includes('Secret'));
    const none = await clientGet(t.app, 1, '/pages/live').expect(400);
    assert.ok(none.text.includes('No restore was chosen.') && !none.text.includes('run_id is required'));
    const own = await clientGet(t.app, 2, `/pages/live?run_id=${runId}`).expect(200);
    assert.ok(own.text.includes('x-data="hvrLiveRun"') && own.text.includes('D:\\Secret'));
  });

  it('Rejects an unsigned page request outside demo mode', async () => {
    const res = await request(t.app).get('/pages/hyperv').expect(401);
    assert.deepEqual(res.body, { status: 'fail', message: 'Unauthorized' });
  });
});

describe('Pages (demo mode)', function () {
  it('Can serve the standalone page with direct links to an unsigned browser', async () => {
    const database = await createTestDatabase('sqlite');
    const t = createTestAppOn(database, { DEMO_MODE: '1', BRIDGE_SECRET: '' });
    const f = await seedFixtures(t.db);
    const res = await request(t.app).get('/pages/hyperv').expect(200);
    assert.match(res.text, /^<!doctype html>/);
    assert.ok(res.text.includes(`href="/pages/hyperv-restore?vm_id&#x3D;${f.a.vmId}"`));
    assert.ok(res.text.includes('data-hvr-mode="direct"'));
    assert.ok(!res.text.includes(f.b.vmName), 'demo mode shows the demo client only');
    assert.match(res.get('Content-Security-Policy') ?? '', /frame-ancestors 'none'/);
    assert.match(res.text, /<link rel="icon" href="data:image\/svg\+xml,/, 'a favicon, so the browser asks for no /favicon.ico');
    await t.drop();
  });

  it('Can answer the bare address and unknown pages with pages, not the API\'s JSON', async () => {
    const database = await createTestDatabase('sqlite');
    const t = createTestAppOn(database, { DEMO_MODE: '1', BRIDGE_SECRET: '' });
    await request(t.app).get('/').expect(302).expect('Location', '/pages/hyperv');
    const unknown = await request(t.app).get('/pages/nothing-here').expect(404);
    assert.match(unknown.type, /html/);
    assert.ok(unknown.text.includes('This page does not exist.') && unknown.text.includes('Back to your Hyper-V VMs'));
    const badJob = await request(t.app).get('/pages/hyperv?job_id=x').expect(400);
    assert.ok(badJob.text.includes('This backup job was not found.') && !badJob.text.includes('job_id'));
    await t.drop();
  });
});

describe('Assets', function () {
  let t: TestApp;
  before(async () => (t = await createTestApp('sqlite')));
  after(() => t.drop());

  it('Can serve Alpine.js from node_modules and the page scripts without a signature', async () => {
    const alpine = await request(t.app).get('/assets/vendor/alpine.min.js').expect(200);
    assert.match(alpine.type, /javascript/);
    assert.match(alpine.text, /Alpine/);
    await request(t.app).get('/assets/scripts/restore-wizard.js').expect(200);
    const css = await request(t.app).get('/assets/styles/restore.css').expect(200);
    assert.match(css.type, /css/);
  });

  it('Can serve the server\'s own target path validator as a standalone browser module', async () => {
    const res = await request(t.app).get('/assets/lib/target-path.js').expect(200);
    assert.ok(!/^\s*import\s/m.test(res.text), 'the module must not import anything: the browser loads it alone');
    assert.match(res.text, /export function validateTargetPath/);
    const bytes = await request(t.app).get('/assets/lib/format-bytes.js').expect(200);
    assert.ok(!/^\s*import\s/m.test(bytes.text));
  });

  it('Cannot read anything outside the allow-list', async () => {
    for (const path of ['/assets/../package.json', '/assets/scripts/../../package.json', '/assets/lib/errors.js', '/assets/vendor/module.cjs.js', '/assets/%2e%2e/package.json']) {
      const res = await request(t.app).get(path);
      assert.equal(res.status, 404, path);
    }
  });
});
