// A claimed command's repository secrets are redacted by the agent from the moment it receives them: in its log lines
// and in everything it sends back (an error from kopia may quote them), although the agent's config never named them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentConfig } from '../../agent/config.js';
import { createPlatform } from '../../agent/platform/current.js';
import { runRestore } from '../../agent/run/run-restore.js';
import { RestoreError } from '../../agent/engine/types.js';
import { SidecarClient } from '../../agent/sidecar-client.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import { SecretList } from '../../sidecar/lib/secret-list.js';
import { RESTORE_COMMAND_TYPE, type ClaimedCommand } from '../../sidecar/schemas/agent.js';

const ACCESS = 'AKRUNSECRETACCESS01';
const SECRET = 'run-secret/very+private-0123456789';
const PASSWORD = `bucket-x:${ACCESS}:${SECRET}`;

/** A sidecar that accepts everything and keeps the bodies it was sent. */
function captureSidecar(bodies: string[]): Promise<Server> {
  const answers: Record<string, unknown> = { heartbeat: { run_status: 'running', cancel_requested: false }, events: { stored: 1, duplicates: 0 }, finish: { run_status: 'failed' } };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      bodies.push(body);
      const kind = (req.url ?? '').split('/').pop() ?? '';
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ status: 'success', run_status: 'running', cancel_requested: false, ...(answers[kind] as object | undefined) }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('Run secrets in the agent', function () {
  let dir: string;
  let server: Server;
  const bodies: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hvr-run-secrets-'));
    server = await captureSidecar(bodies);
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('Can redact a value added after the logger was made, in it and in its children', () => {
    const { log, lines } = createMemoryLogger('debug');
    const child = log.child({ runId: 1 });
    log.addSecret(SECRET);
    child.info(`kopia said: ${SECRET}`, { detail: `x${SECRET}y` });
    assert.ok(!lines.join('\n').includes(SECRET));
    assert.match(lines[0]!, /kopia said: \[redacted\]/);
  });

  it('Can keep a command\'s keys out of its log and out of what it reports, when kopia\'s error quotes them', async () => {
    const secrets = new SecretList();
    const { log, lines } = createMemoryLogger('debug');
    const config = parseAgentConfig({
      sidecar_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agent_id: 3, agent_token: 'token-run-secrets-1234',
      work_dir: join(dir, 'work'), path_map: { 'C:\\': join(dir, 'c') },
    });
    const client = new SidecarClient({ baseUrl: config.sidecarUrl, agentId: 3, agentToken: config.agentToken, secrets });
    const command: ClaimedCommand = {
      command_id: 9, type: RESTORE_COMMAND_TYPE, run_id: 77, run_uuid: null,
      payload: { backup_point_id: 1, vm_name: 'web01', target_path: 'C:\\Restored', restore_run_id: 77, disk_manifests: { 'C:\\VMs\\disk0.vhdx': 'a'.repeat(32) } },
      repository: { type: 's3', endpoint: 's3.example.test', region: '', bucket: 'bucket-x', prefix: '', access_key_id: ACCESS, secret_access_key: SECRET, disable_tls: false, password: PASSWORD },
    };
    let opened: unknown = null;
    const status = await runRestore({
      config, client, log, secrets, stopSignal: new AbortController().signal, platform: createPlatform('linux'),
      openRepository: async (options) => {
        opened = options.repository;
        log.debug('connecting', { detail: `key ${ACCESS} secret ${SECRET}` });
        throw new RestoreError('REPOSITORY_UNAVAILABLE', `Cannot open the backup repository: denied for ${ACCESS} with ${SECRET}`);
      },
    }, command);
    assert.equal(status, 'failed');
    assert.deepEqual(opened, { type: 's3', endpoint: 's3.example.test', bucket: 'bucket-x', prefix: undefined, accessKeyId: ACCESS, secretAccessKey: SECRET, region: undefined, disableTls: false });
    const sent = bodies.join('\n');
    assert.match(sent, /Cannot open the backup repository: denied for \[redacted\] with \[redacted\]/, 'the finish still says what failed');
    for (const value of [ACCESS, SECRET, PASSWORD]) {
      assert.ok(!sent.includes(value), 'nothing sent carries the keys');
      assert.ok(!lines.join('\n').includes(value), 'no log line carries the keys');
    }
  });

  it('Rejects a command without a repository when the config names none, with a clear message', async () => {
    const { log } = createMemoryLogger('debug');
    const config = parseAgentConfig({ sidecar_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agent_id: 3, agent_token: 'token-run-secrets-1234', work_dir: join(dir, 'work'), path_map: { 'C:\\': join(dir, 'c') } });
    const client = new SidecarClient({ baseUrl: config.sidecarUrl, agentId: 3, agentToken: config.agentToken });
    bodies.length = 0;
    const command: ClaimedCommand = {
      command_id: 10, type: RESTORE_COMMAND_TYPE, run_id: 78, run_uuid: null,
      payload: { backup_point_id: 1, vm_name: 'web01', target_path: 'C:\\Restored', restore_run_id: 78, disk_manifests: { 'C:\\VMs\\disk0.vhdx': 'a'.repeat(32) } },
    };
    const status = await runRestore({ config, client, log, stopSignal: new AbortController().signal, platform: createPlatform('linux'), openRepository: () => Promise.reject(new Error('must not be opened')) }, command);
    assert.equal(status, 'failed');
    const finish = bodies.map((b) => (b ? JSON.parse(b) as Record<string, unknown> : {})).find((b) => b.status === 'failed');
    assert.equal(finish?.message, 'the command carries no repository and the agent config names none (update the sidecar, or set repository in the config)');
  });
});
