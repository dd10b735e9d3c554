import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentUsage } from '../../agent/cli-args.js';
import { runAgentExpectingExit, writeAgentConfig } from '../helpers/agent-process.js';

const TOKEN = 'agent-token-very-secret-123';
const PASSWORD = 'repo-password-very-secret-456';

function validConfig(dir: string): Record<string, unknown> {
  return {
    sidecar_url: 'http://127.0.0.1:1', agent_id: 7, agent_token: TOKEN, kopia_path: '/usr/bin/kopia', work_dir: join(dir, 'work'),
    repository: { type: 'filesystem', path: join(dir, 'repo') }, repository_password: PASSWORD,
    parallelism: 8, poll_interval_seconds: 2, path_map: { 'C:\\': join(dir, 'c') },
  };
}

describe('Agent configuration', function () {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'hvr-agent-config-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, (c: Record<string, unknown>) => unknown, string][] = [
    ['a missing agent token', (c) => { delete c.agent_token; return c; }, 'config.agent_token is required'],
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

  it('Rejects a start without --config', async () => {
    assert.deepEqual(await runAgentExpectingExit(null), { code: 1, output: `agent: no configuration file given\n${agentUsage}\n` });
  });
});
