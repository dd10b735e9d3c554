// Each job's repository, resolved from WHMCS at claim: keys encrypted by PHP's own openssl_encrypt (php-cli, as the
// cloudstorage module does) decrypt in the sidecar; a job whose repository cannot be resolved fails its run at claim
// with the spec's message, never a 500, and the agent never sees it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../sidecar/app.js';
import { loadConfig } from '../../sidecar/config.js';
import { setModuleSetting } from '../../sidecar/demo/module-storage.js';
import { createDeps } from '../../sidecar/deps.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import type { CommandRepository } from '../../sidecar/schemas/agent.js';
import { queueRestore, seedAgent, type TestAgent } from '../helpers/agent-fixtures.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/database.js';
import { giveJobStorage, TEST_ENCRYPTION_KEY } from '../helpers/job-storage.js';

const NOT_CONFIGURED = 'Backup repository of this job is not configured';
const ACCESS = 'AKIAPHPENCRYPTED0001';
const SECRET = 'php/encrypted+secret-key-0123456789ab';

/** A value exactly as the module stores it: PHP's openssl_encrypt, AES-256-CBC, IV prepended, base64. */
function phpEncrypt(plain: string, key: string): string {
  return execFileSync('php', ['-r', '$iv = random_bytes(16); echo base64_encode($iv . openssl_encrypt($argv[1], "aes-256-cbc", $argv[2], OPENSSL_RAW_DATA, $iv));', '--', plain, key], { encoding: 'utf8' });
}

for (const dialect of testDialects()) {
  describe(`Job repository at claim on ${dialect}`, function () {
    this.timeout(60_000);
    let t: TestDatabase;
    let app: Express;
    let logLines: string[];
    let agent: TestAgent;

    beforeEach(async () => {
      t = await createTestDatabase(dialect, { legacy: dialect === 'mariadb' });
      const memory = createMemoryLogger();
      logLines = memory.lines;
      app = createApp(createDeps(loadConfig({ BRIDGE_SECRET: 's'.repeat(40), DATABASE_URL: t.url }), { db: t.db, log: memory.log }));
      agent = await seedAgent(t.db, 1, 'token-repo-' + 'r'.repeat(32));
      await giveJobStorage(t.db, agent.jobId, { destination: { type: 's3', bucket: 'customer-bucket', prefix: '/hyperv//vm-a' }, accessKeyId: 'unused', secretAccessKey: 'unused-secret' });
    });
    afterEach(async () => t.drop());

    const claim = () => request(app).post('/agent/commands/claim').set(agent.headers);
    const resume = () => request(app).post('/agent/commands/resume').set(agent.headers);

    /** Replaces the job's keys with a newer row that PHP encrypted with `key`. */
    async function phpKeys(key: string, values: { access?: string; secret?: string } = {}): Promise<void> {
      const job = await t.db('s3_cloudbackup_jobs').where('id', agent.jobId).first('s3_user_id');
      await t.db('s3_user_access_keys').insert({ user_id: job.s3_user_id, access_key: values.access ?? phpEncrypt(ACCESS, key), secret_key: values.secret ?? phpEncrypt(SECRET, key) });
    }

    async function expectNotConfigured(runId: number, commandId: number): Promise<void> {
      const res = await claim().expect(200);
      assert.deepEqual(res.body, { status: 'success', command: null });
      const run = await t.db('s3_cloudbackup_runs').where('id', runId).first();
      assert.deepEqual([run.status, run.error_summary], ['failed', NOT_CONFIGURED]);
      assert.ok(run.finished_at);
      const command = await t.db('s3_cloudbackup_run_commands').where('id', commandId).first();
      assert.deepEqual([command.status, command.result_message], ['failed', NOT_CONFIGURED]);
      const events = await t.db('s3_cloudbackup_run_events').where('run_id', runId).orderBy('id');
      assert.equal(events.at(-1).message_id, 'HYPERV_RESTORE_FAILED');
      assert.deepEqual(JSON.parse(events.at(-1).params_json), { message: NOT_CONFIGURED });
      assert.equal((await claim().expect(200)).body.command, null, 'never handed out later either');
    }

    it('Can hand out keys PHP\'s openssl_encrypt wrote, with a short key padded and a long one cut as PHP does', async () => {
      for (const key of ['short-key', 'k'.repeat(32) + '-beyond-the-32-bytes-php-uses']) {
        await setModuleSetting(t.db, 'cloudbackup_encryption_key', key);
        await phpKeys(key);
        const q = await queueRestore(t.db, agent);
        const res = await claim().expect(200);
        assert.equal(res.body.command.command_id, q.commandId);
        const expected: CommandRepository = {
          type: 's3', endpoint: 's3.hvr-test.invalid', region: 'us-east-1', bucket: 'customer-bucket', prefix: 'hyperv//vm-a/',
          access_key_id: ACCESS, secret_access_key: SECRET, disable_tls: false, password: `customer-bucket:${ACCESS}:${SECRET}`,
        };
        assert.deepEqual(res.body.command.repository, expected);
      }
    });

    it('Can fall back to the encryption_key setting, and to s3_endpoint / s3_region, turning TLS off only for http://', async () => {
      await setModuleSetting(t.db, 'cloudbackup_encryption_key', 'a-key-that-does-not-fit');
      await setModuleSetting(t.db, 'encryption_key', 'the-older-setting-key');
      await t.db('tbladdonmodules').whereIn('setting', ['cloudbackup_agent_s3_endpoint', 'cloudbackup_agent_s3_region']).delete();
      await setModuleSetting(t.db, 's3_endpoint', 'http://storage.example.net:9000/');
      await setModuleSetting(t.db, 's3_region', 'eu-central-1');
      await phpKeys('the-older-setting-key');
      await queueRestore(t.db, agent);
      const { repository } = (await claim().expect(200)).body.command;
      assert.deepEqual([repository.endpoint, repository.region, repository.disable_tls, repository.access_key_id], ['storage.example.net:9000', 'eu-central-1', true, ACCESS]);
    });

    it('Can hand out a local destination as a filesystem repository, on claim and again on resume', async () => {
      await setModuleSetting(t.db, 'cloudbackup_encryption_key', TEST_ENCRYPTION_KEY);
      await phpKeys(TEST_ENCRYPTION_KEY);
      await t.db('s3_cloudbackup_jobs').where('id', agent.jobId).update({ dest_type: 'local', dest_local_path: 'D:\\KopiaRepo' });
      const q = await queueRestore(t.db, agent);
      const expected = { type: 'filesystem', path: 'D:\\KopiaRepo', password: `customer-bucket:${ACCESS}:${SECRET}` };
      assert.deepEqual((await claim().expect(200)).body.command.repository, expected);
      const resumed = (await resume().expect(200)).body.commands;
      assert.deepEqual(resumed.map((c: { command_id: number; repository: unknown }) => [c.command_id, c.repository]), [[q.commandId, expected]]);
    });

    const broken: [string, () => Promise<void>][] = [
      ['a wrong encryption key', async () => { await setModuleSetting(t.db, 'cloudbackup_encryption_key', 'not-the-key-it-was-encrypted-with'); await phpKeys('the-real-key'); }],
      ['a corrupt stored key', async () => { await setModuleSetting(t.db, 'cloudbackup_encryption_key', 'the-real-key'); await phpKeys('the-real-key', { secret: phpEncrypt(SECRET, 'the-real-key').slice(0, -8) + 'AAAAAAA=' }); }],
      ['a stored key that is not base64', async () => { await setModuleSetting(t.db, 'cloudbackup_encryption_key', 'the-real-key'); await phpKeys('the-real-key', { access: 'plain text, never encrypted' }); }],
      ['no bucket', async () => { await t.db('s3_cloudbackup_jobs').where('id', agent.jobId).update({ dest_bucket_id: null }); }],
      ['no access key row', async () => { await t.db('s3_user_access_keys').delete(); }],
      ['a local destination without a path', async () => { await t.db('s3_cloudbackup_jobs').where('id', agent.jobId).update({ dest_type: 'local', dest_local_path: null }); }],
      ['no endpoint setting', async () => { await t.db('tbladdonmodules').where('setting', 'like', '%endpoint%').delete(); }],
    ];
    for (const [what, breakIt] of broken) {
      it(`Rejects a job with ${what}: its run fails at claim with a clear message, never a 500`, async () => {
        await breakIt();
        const q = await queueRestore(t.db, agent);
        await expectNotConfigured(q.runId, q.commandId);
        const warning = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'restore failed: the job has no usable backup repository');
        assert.ok(warning && typeof warning.reason === 'string', 'the sidecar log says which part is missing');
        assert.ok(!logLines.join('\n').includes(SECRET) && !logLines.join('\n').includes(ACCESS), 'no key in the log');
      });
    }

    it('Can fail a resumed command whose job lost its keys while the agent was down', async () => {
      const first = await queueRestore(t.db, agent);
      assert.equal((await claim().expect(200)).body.command.command_id, first.commandId);
      await t.db('s3_user_access_keys').delete();
      assert.deepEqual((await resume().expect(200)).body.commands, []);
      const run = await t.db('s3_cloudbackup_runs').where('id', first.runId).first();
      assert.deepEqual([run.status, run.error_summary], ['failed', NOT_CONFIGURED]);
      const next = await queueRestore(t.db, agent);
      await expectNotConfigured(next.runId, next.commandId);
    });
  });
}
