import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentUsage } from '../../agent/cli-args.js';
import { runAgentExpectingExit, startAgent, writeAgentConfig } from '../helpers/agent-process.js';

const TOKEN = 'agent-token-very-secret-123';
const PASSWORD = 'repo-password-very-secret-456';

function identityless(c: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([key]) => key !== 'agent_id' && key !== 'agent_token'));
}

function validConfig(dir: string): Record<string, unknown> {
  return {
    sidecar_url: 'http://127.0.0.1:1', agent_id: 7, agent_token: TOKEN, kopia_path: '/usr/bin/kopia', work_dir: join(dir, 'work'),
    repository: { type: 'filesystem', path: join(dir, 'repo') }, repository_password: PASSWORD,
    parallelism: 8, poll_interval_seconds: 2, path_map: { 'C:\\': join(dir, 'c') },
  };
}

describe('Agent configuration', function () {
  // Made when the cases are defined: their messages name files in it.
  const dir = mkdtempSync(join(tmpdir(), 'hvr-agent-config-'));
  before(() => {
    // The backup agent's agent.conf (YAML) as its installer writes it, before and after enrolment.
    writeFileSync(join(dir, 'agent.conf'), `api_base_url: https://whmcs.example/modules/addons/cloudstorage/api\nagent_id: "7"\nagent_token: ${TOKEN}\nclient_id: 3\n`);
    writeFileSync(join(dir, 'unenrolled.conf'), 'api_base_url: https://whmcs.example/api\nenrollment_token: abc\n');
    writeFileSync(join(dir, 'tokenless.conf'), 'agent_id: 7\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, (c: Record<string, unknown>) => unknown, string][] = [
    ['a missing agent token', (c) => { delete c.agent_token; return c; }, 'config.agent_token is required (or config.agent_conf)'],
    ['a repository without its password', (c) => { delete c.repository_password; return c; }, 'config.repository and config.repository_password go together: give both or neither'],
    ['an agent_conf next to agent_id', (c) => ({ ...c, agent_conf: join(dir, 'agent.conf') }), 'config.agent_conf names where agent_id and agent_token come from: leave them out of this file'],
    ['an agent_conf that does not exist', (c) => ({ ...identityless(c), agent_conf: join(dir, 'missing.conf') }), `cannot read config.agent_conf ${join(dir, 'missing.conf')}: ENOENT`],
    ['an agent_conf of a host not enrolled yet', (c) => ({ ...identityless(c), agent_conf: join(dir, 'unenrolled.conf') }), `config.agent_conf ${join(dir, 'unenrolled.conf')} has no numeric agent_id (is this host enrolled?)`],
    ['an agent_conf without a token', (c) => ({ ...identityless(c), agent_conf: join(dir, 'tokenless.conf') }), `config.agent_conf ${join(dir, 'tokenless.conf')} has no agent_token (is this host enrolled?)`],
    ['an agent id that is not a number', (c) => ({ ...c, agent_id: '7' }), 'config.agent_id must be integer'],
    ['an unknown field', (c) => ({ ...c, agent_tokn: 'x' }), 'config.agent_tokn is not allowed'],
    ['a sidecar URL without http(s)', (c) => ({ ...c, sidecar_url: 'ftp://x' }), 'config.sidecar_url has an invalid format'],
    ['a relative work directory', (c) => ({ ...c, work_dir: 'work' }), 'config.work_dir must be an absolute path'],
    ['an s3 repository without a bucket', (c) => ({ ...c, repository: { type: 's3', endpoint: '127.0.0.1:7070', access_key_id: 'AK', secret_access_key: 'SECRETKEY123' } }), 'config.repository.bucket is required'],
    ['an unknown repository type', (c) => ({ ...c, repository: { type: 'ftp', path: '/x' } }), 'config.repository.type must be one of filesystem, s3'],
    ['parallelism out of range', (c) => ({ ...c, parallelism: 0 }), 'config.parallelism must be >= 1'],
    ['a path_map key that is not a drive', (c) => ({ ...c, path_map: { 'Restored': '/tmp' } }), 'config.path_map key "Restored" must be a Windows drive path such as C:\\ or a share such as \\\\server\\share'],
    ['a path_map target that is relative', (c) => ({ ...c, path_map: { 'D:\\': 'tmp/d' } }), 'config.path_map["D:\\"] must be an absolute folder on this host'],
    ['an allowed_shares entry with a folder inside the share', (c) => ({ ...c, allowed_shares: ['\\\\nas01\\restores\\web'] }),
      'config.allowed_shares entry "\\\\nas01\\restores\\web" must be a share such as \\\\server\\share (no folder inside it)'],
    ['an allowed_shares entry that is a drive', (c) => ({ ...c, allowed_shares: ['C:\\Restores'] }),
      'config.allowed_shares entry "C:\\Restores" must be a share such as \\\\server\\share (no folder inside it)'],
  ];

  for (const [what, change, message] of cases) {
    it(`Rejects ${what}: exit code 1 and a clear message`, async () => {
      const file = writeAgentConfig(dir, change(validConfig(dir)));
      const { code, output } = await runAgentExpectingExit(file);
      assert.equal(code, 1);
      assert.equal(output.trim(), `agent: invalid configuration: ${message}`);
      assert.ok(!output.includes(TOKEN) && !output.includes(PASSWORD), 'no secret in the output');
    });
  }

  it('Rejects a file that is not JSON, and a missing file', async () => {
    const bad = writeAgentConfig(dir, '{ "agent_id": 7, ', 'broken.json');
    assert.deepEqual(await runAgentExpectingExit(bad), { code: 1, output: `agent: invalid configuration: ${bad} is not valid JSON\n` });
    const missing = join(dir, 'nope.json');
    assert.deepEqual(await runAgentExpectingExit(missing), { code: 1, output: `agent: invalid configuration: cannot read ${missing}: ENOENT\n` });
  });

  it('Can start from three lines: the sidecar, the backup agent\'s agent.conf for its identity, a work folder', async () => {
    const file = writeAgentConfig(dir, { sidecar_url: 'http://127.0.0.1:1', agent_conf: join(dir, 'agent.conf'), work_dir: join(dir, 'work') }, 'three-lines.json');
    const agent = startAgent(file);
    try {
      for (let i = 0; i < 200 && !agent.output().includes('polling for commands failed'); i++) await new Promise((r) => setTimeout(r, 100));
      const started = agent.output().split('\n').find((l) => l.includes('"msg":"agent started"'));
      assert.ok(started, agent.output());
      assert.deepEqual([JSON.parse(started).agentId, JSON.parse(started).fallbackRepository], [7, 'none']);
      assert.match(agent.output(), /polling for commands failed/, 'it runs and polls with that identity');
      assert.ok(!agent.output().includes(TOKEN), 'the token read from agent.conf is never logged');
    } finally {
      await agent.stop();
    }
  });

  it('Rejects a start without --config', async () => {
    assert.deepEqual(await runAgentExpectingExit(null), { code: 1, output: `agent: no configuration file given\n${agentUsage}\n` });
  });
});
