// One Hyper-V host, two jobs with their own destinations: job A backs up to bucket A, job B to bucket B, each bucket
// owned by another S3 user with its own keys (one versitygw). The agent's config names no repository and takes its
// identity from the backup agent's agent.conf; the sidecar resolves each job's repository from WHMCS's rows at claim.
// Both restores come back byte for byte, and none of the keys or passwords is found in any row, event, client or
// admin API answer, or log line written meanwhile.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, writeAgentConfig, type AgentProcess } from '../helpers/agent-process.js';
import { createTestDatabase } from '../helpers/database.js';
import { insertAgent, insertDisks, insertJob, insertVm } from '../helpers/fixtures.js';
import { clientGet, clientPost, createTestAppOn, signedRequest, type TestApp } from '../helpers/http.js';
import { giveJobStorage, passwordOfStorage, type StorageSpec } from '../helpers/job-storage.js';
import { buildSampleVm, createTestRepository, diskLayout, kopiaPath, sha256File, type SampleVm, type TestRepository } from '../helpers/kopia.js';
import { insertRealPoint } from '../helpers/restore-world.js';
import { s3Request, s3RepositoryOn, startVersityGw, type VersityGw } from '../helpers/versitygw.js';

const CLIENT = 21;
const TOKEN = 'jobs-agent-token-' + 'j'.repeat(32);
const JOBS = {
  a: { accessKeyId: 'HVRJOBAACCESS00001', secretAccessKey: 'job-a-secret/Kx9+q2Wm7vB4nR8tY1', bucket: 'customer-a-backups', prefix: 'hyperv/a/', disk: 'alpha.vhdx' },
  b: { accessKeyId: 'HVRJOBBACCESS00002', secretAccessKey: 'job-b-secret/Zp3+L6dQ0sF5hJ2uV7', bucket: 'customer-b-backups', prefix: 'hyperv/b/', disk: 'bravo.vhdx' },
} as const;
type JobName = keyof typeof JOBS;

interface JobWorld {
  repo: TestRepository;
  vm: SampleVm;
  storage: StorageSpec;
  pointIds: number[];
}

describe('Restores of two jobs with their own buckets and keys, agent config without a repository', function () {
  this.timeout(600_000);
  let dir: string;
  let gw: VersityGw;
  let test: TestApp;
  let server: Server;
  let agent: AgentProcess;
  let driveC: string;
  const jobs = {} as Record<JobName, JobWorld>;
  const answers: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-e2e-jobs-'));
    gw = await startVersityGw({ users: true });
    test = createTestAppOn(await createTestDatabase('mariadb', { legacy: true }));
    const agentId = await insertAgent(test.db, CLIENT, TOKEN);
    for (const name of ['a', 'b'] as const) {
      const job = JOBS[name];
      await gw.createUserBucket(job.accessKeyId, job.secretAccessKey, job.bucket);
      const spec = s3RepositoryOn({ ...gw, accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey }, job.bucket, job.prefix);
      const repo = await createTestRepository(spec);
      const vm = await buildSampleVm(repo, [diskLayout(job.disk, 6, name === 'a' ? 777 : 4242)], 2);
      // The module stores the prefix as the customer typed it: the sidecar normalises it.
      const storage: StorageSpec = {
        destination: { type: 's3', bucket: job.bucket, prefix: `/${job.prefix.slice(0, -1)}` },
        accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey, endpoint: `http://${gw.endpoint}`, region: gw.region,
      };
      const jobId = await insertJob(test.db, CLIENT, agentId, `Hyper-V ${name}`, { storage: false });
      await giveJobStorage(test.db, jobId, storage);
      const vmId = await insertVm(test.db, jobId, `vm-${name}`);
      await insertDisks(test.db, vmId, [vm.hostPath(job.disk)]);
      const pointIds: number[] = [];
      for (const [p, point] of vm.points.entries()) {
        pointIds.push(await insertRealPoint(test.db, vmId, jobId, p === 0 ? 'Full' : 'Incremental', p === 0 ? null : pointIds[p - 1]!, { [vm.hostPath(job.disk)]: point.manifests[job.disk]! }, p));
      }
      jobs[name] = { repo, vm, storage, pointIds };
    }
    server = await new Promise((resolve) => { const s = test.app.listen(0, '127.0.0.1', () => resolve(s)); });
    driveC = join(dir, 'drive-c');
    await mkdir(driveC, { recursive: true });
    // The backup agent's own enrolment file, as its installer leaves it.
    const agentConf = join(dir, 'agent.conf');
    writeFileSync(agentConf, `api_base_url: "https://whmcs.example/modules/addons/cloudstorage/api"\nclient_id: "${CLIENT}"\nagent_id: "${agentId}"\nagent_token: ${TOKEN}\nrun_dir: C:\\ProgramData\\E3Backup\\runs\n`);
    const configFile = writeAgentConfig(dir, {
      sidecar_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agent_conf: agentConf, work_dir: join(dir, 'agent-work'),
      kopia_path: kopiaPath(), poll_interval_seconds: 0.2, path_map: { 'C:\\': driveC }, log_level: 'debug',
    });
    agent = startAgent(configFile);
  });

  after(async () => {
    if (process.env.E2E_DUMP) process.stderr.write(agent?.output() ?? '');
    await agent?.stop();
    await new Promise((resolve) => server?.close(resolve));
    await test?.drop();
    for (const job of Object.values(jobs)) await job.repo.cleanup();
    await gw?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Client and admin API answers are kept: the secret search reads them too. */
  async function fetchJson(path: string, admin = false): Promise<Record<string, unknown>> {
    const res = await (admin ? signedRequest(test.app, { path, adminId: 1 }) : clientGet(test.app, CLIENT, path)).expect(200);
    answers.push(res.text);
    return res.body as Record<string, unknown>;
  }

  async function restore(name: JobName, point: number, target: string): Promise<void> {
    const started = await clientPost(test.app, CLIENT, '/api/hyperv/restores', { backup_point_id: jobs[name].pointIds[point], target_path: `C:\\${target}` });
    answers.push(started.text);
    assert.equal(started.status, 200, started.text);
    const runId = Number(started.body.restore_run_id);
    let run: { status: string; error_summary: string | null } = { status: 'queued', error_summary: null };
    for (let i = 0; i < 1800 && !['success', 'warning', 'failed', 'cancelled'].includes(run.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await fetchJson(`/api/runs/${runId}`)).run as typeof run;
    }
    assert.deepEqual([run.status, run.error_summary], ['success', null], agent.output().slice(-3000));
    await fetchJson(`/api/runs/${runId}/events`);
    await fetchJson(`/admin/api/runs/${runId}`, true);
    const { vm } = jobs[name];
    const disk = JOBS[name].disk;
    assert.equal(await sha256File(join(driveC, target, disk)), vm.points[point]!.sha256[disk], `${disk} of job ${name} at point ${point}`);
  }

  it('Can restore a point of job A from bucket A and a point of job B from bucket B, byte for byte', async () => {
    // Each job's keys open only its own bucket: a mix-up could not restore anything.
    await assert.rejects(s3Request({ ...gw, accessKeyId: JOBS.b.accessKeyId, secretAccessKey: JOBS.b.secretAccessKey }, 'GET', `/${JOBS.a.bucket}`));
    await restore('a', 1, 'RestoredA');
    await restore('b', 0, 'RestoredB');
    await restore('a', 0, 'RestoredA0');
  });

  it('Cannot find any key or repository password in a row, event, API answer or log line', async () => {
    const secrets = Object.entries(JOBS).flatMap(([name, job]) => [job.accessKeyId, job.secretAccessKey, passwordOfStorage(jobs[name as JobName].storage)]);
    const [tables] = (await test.db.raw('SHOW TABLES')) as [Record<string, string>[]];
    const places: [string, string][] = [];
    for (const table of tables.map((row) => Object.values(row)[0]!)) places.push([`table ${table}`, JSON.stringify(await test.db(table).select('*'))]);
    places.push(['client/admin API answers', answers.join('\n')], ['sidecar log', test.logLines().join('\n')], ['agent log', agent.output()]);
    assert.ok(answers.length > 6 && test.logLines().length > 0 && agent.output().includes('"msg":"repository open"'), 'there was something to search');
    for (const [where, text] of places) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} holds a secret (${secret.slice(0, 4)}…)`);
    }
    // The encrypted keys are where the module keeps them, and only there.
    assert.equal(Number(((await test.db('s3_user_access_keys').count({ n: '*' })) as { n: number }[])[0]!.n), 2);
  });
});
