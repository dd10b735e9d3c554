import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgentToExit, writeAgentConfig } from '../helpers/agent-process.js';
import { projectPath } from '../helpers/paths.js';

const TOKEN = 'agent-token-cli-secret-1';

describe('Agent command line', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hvr-agent-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (overrides: Record<string, unknown> = {}) => writeAgentConfig(dir, {
    sidecar_url: 'http://127.0.0.1:1', agent_id: 5, agent_token: TOKEN, work_dir: join(dir, 'work'),
    repository: { type: 'filesystem', path: join(dir, 'repo') }, repository_password: 'cli-password-secret', poll_interval_seconds: 0.2, ...overrides,
  });

  it('Can print the package version', async () => {
    const version = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
    assert.deepEqual(await runAgentToExit(['--version']), { code: 0, output: `${version}\n` });
  });

  it('Can check a valid config without starting', async () => {
    const result = await runAgentToExit(['--check-config', config()]);
    assert.deepEqual(result, { code: 0, output: 'agent: configuration is valid (agent 5, sidecar http://127.0.0.1:1)\n' });
  });

  it('Rejects a config given to --check-config, naming the wrong field and no secret', async () => {
    const result = await runAgentToExit(['--check-config', config({ agent_id: 'five' })]);
    assert.equal(result.code, 1);
    assert.equal(result.output, 'agent: invalid configuration: config.agent_id must be integer\n');
  });

  it('Rejects an unknown argument with the usage', async () => {
    const result = await runAgentToExit(['--config', config(), '--verbose']);
    assert.equal(result.code, 1);
    assert.match(result.output, /^agent: unknown argument --verbose\nusage: hyperv-restore-agent --config FILE/);
  });

  it('Can stop cleanly when its stdin closes (--shutdown-on-stdin, how the Windows service host stops it)', async () => {
    const child = spawn(process.execPath, [projectPath('dist/agent/main.js'), '--config', config(), '--shutdown-on-stdin'], {
      env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!output.includes('"agent started"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(output, /"agent started"/);
    child.stdin.end();
    assert.equal(await exited, 0);
    assert.match(output, /"msg":"shutting down".*"signal":"stdin closed"/);
    assert.match(output, /"msg":"agent stopped"/);
  });
});
