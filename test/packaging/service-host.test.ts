import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentPackage } from '../../packaging/package-agent.js';
import { releasePackage } from '../helpers/agent-package.js';
import { projectPath } from '../helpers/paths.js';
import { startWindowsProgram, windowsPath } from '../helpers/wine.js';

async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('Windows service host', function () {
  this.timeout(20 * 60_000);

  it('Can supervise an agent: clean stop by stdin, kill after the timeout, restart with back-off, rolling logs (go test)', () => {
    const output = execFileSync('go', ['test', '-count=1', '-v', './...'], {
      cwd: projectPath('agent', 'service-host'), encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' },
    });
    for (const name of ['TestStopClosesStdinAndWaitsForCleanShutdown', 'TestStopEndsAnAgentThatIgnoresItAfterTheTimeout',
      'TestAnAgentThatExitsIsStartedAgainWithGrowingDelay', 'TestRollingLogKeepsTheNewestFilesUnderTheSizeLimit']) {
      assert.match(output, new RegExp(`--- PASS: ${name} `));
    }
  });

  describe('under Wine', () => {
    let pkg: AgentPackage;
    let scratch: string;
    before(async () => {
      pkg = await releasePackage();
      scratch = mkdtempSync(join(tmpdir(), 'hvr-service-'));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('Can start the packaged agent and turn a stop into its clean shutdown', async () => {
      const config = join(scratch, 'agent.json');
      mkdirSync(join(scratch, 'work'));
      // No sidecar listens there: the agent keeps polling, which is all this test needs of it.
      writeFileSync(config, JSON.stringify({
        sidecar_url: 'http://127.0.0.1:9', agent_id: 11, agent_token: 'token-of-host-11', work_dir: windowsPath(join(scratch, 'work')),
        repository: { type: 'filesystem', path: windowsPath(join(scratch, 'repo')) }, repository_password: 'secret-password',
      }));
      const host = startWindowsProgram(join(pkg.dir, 'hyperv-restore-service.exe'), ['--config', windowsPath(config), '--stop-timeout', '30s'], {
        outputDir: scratch, name: 'service-host', env: { NODE_SKIP_PLATFORM_CHECK: '1' },
      });
      const log = join(scratch, 'logs', 'agent.log');
      const lines = () => (existsSync(log) ? readFileSync(log, 'utf8') : '').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      try {
        await waitUntil('the agent to start', () => lines().some((l) => l.msg === 'agent started' && l.agentId === 11), 120_000);
        // SIGINT reaches the host under Wine as Ctrl+C: the console stand-in for a service stop.
        host.signal('SIGINT');
        const code = await Promise.race([host.exited, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 60_000))]);
        assert.equal(code, 0, host.output());
      } finally {
        await host.kill();
      }
      const events = lines();
      assert.ok(events.some((l) => l.msg === 'shutting down' && l.signal === 'stdin closed' && l.agentId === 11), 'the agent saw its stdin close');
      assert.ok(events.some((l) => l.source === 'service-host' && l.msg === 'agent stopped' && l.exit === 'code 0'), 'the agent ended by itself, with code 0');
      assert.ok(!events.some((l) => l.msg === 'agent did not stop in time; ending it'));
      assert.doesNotMatch(readFileSync(log, 'utf8'), /secret-password|token-of-host-11/);
    });
  });
});
