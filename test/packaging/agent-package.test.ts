import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { packageAgent, PACKAGE_FILES, readPinnedVersions, type AgentPackage } from '../../packaging/package-agent.js';
import { releasePackage } from '../helpers/agent-package.js';
import { projectPath } from '../helpers/paths.js';
import { runWindowsProgram, windowsPath, windowsTools } from '../helpers/wine.js';

const BUILD_TIMEOUT = 20 * 60_000;

describe('Windows agent package', function () {
  this.timeout(BUILD_TIMEOUT);
  let pkg: AgentPackage;
  let scratch: string;

  before(async () => {
    pkg = await releasePackage();
    scratch = mkdtempSync(join(tmpdir(), 'hvr-package-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('Can be unzipped into exactly the listed files, which SHA256SUMS matches', () => {
    const listed = execFileSync('unzip', ['-Z1', pkg.zip], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed, PACKAGE_FILES.map((file) => `${pkg.name}/${file}`));
    const unzipped = join(scratch, 'unzipped');
    execFileSync('unzip', ['-q', pkg.zip, '-d', unzipped]);
    const checked = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(unzipped, pkg.name), encoding: 'utf8' });
    const ok = checked.trim().split('\n').map((line) => line.replace(/: OK$/, ''));
    assert.deepEqual(ok.sort(), PACKAGE_FILES.filter((file) => file !== 'SHA256SUMS').sort());
  });

  it('Cannot contain test, bench or dev-dependency code in the agent bundle', () => {
    const meta = JSON.parse(readFileSync(pkg.metafile, 'utf8')) as Metafile;
    const inputs = Object.keys(meta.inputs);
    assert.ok(inputs.includes('agent/main.ts') && inputs.some((i) => i.startsWith('node_modules/ajv/')), 'the bundle holds the agent and its dependencies');
    assert.deepEqual(inputs.filter((i) => /^(test|bench|dist|packaging)\//.test(i)), []);
    const lock = JSON.parse(readFileSync(projectPath('package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const packageDirs = new Set(inputs.map((i) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1]).filter((d): d is string => !!d));
    const devOnly = [...packageDirs].filter((dir) => lock.packages[dir]?.dev === true);
    const unknown = [...packageDirs].filter((dir) => !lock.packages[dir]);
    assert.deepEqual(devOnly, [], 'dev-only packages in the bundle');
    assert.deepEqual(unknown, [], 'packages the lock file does not know');
  });

  it('Can be built again from the same inputs into the same files', async () => {
    const tools = windowsTools();
    const again = await packageAgent({
      root: projectPath(), nodeExe: tools.nodeExe, kopiaExe: tools.kopiaExe,
      outDir: join(scratch, 'release'), workDir: join(scratch, 'work'), force: true,
    });
    assert.equal(again.cached, false);
    assert.equal(readFileSync(join(again.dir, 'SHA256SUMS'), 'utf8'), readFileSync(join(pkg.dir, 'SHA256SUMS'), 'utf8'));
    assert.equal(readFileSync(again.bundle, 'utf8'), readFileSync(pkg.bundle, 'utf8'));
  });

  describe('under Wine', () => {
    const run = (exe: string, args: string[], name: string) =>
      runWindowsProgram(join(pkg.dir, exe), args, { outputDir: scratch, name, env: { NODE_SKIP_PLATFORM_CHECK: '1' }, timeoutMs: 120_000 });

    function writeConfig(name: string, overrides: Record<string, unknown>): string {
      const file = join(scratch, name);
      writeFileSync(file, JSON.stringify({
        sidecar_url: 'http://127.0.0.1:9', agent_id: 7, agent_token: 'token-of-host-7', work_dir: 'C:\\HypervRestore\\work',
        repository: { type: 'filesystem', path: 'C:\\HypervRestore\\repo' }, repository_password: 'secret-password', ...overrides,
      }));
      return windowsPath(file);
    }

    it('Can print the package version', async () => {
      const version = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
      const result = await run('hyperv-restore-agent.exe', ['--version'], 'version');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), version);
    });

    it('Rejects a config with a wrong field, naming the field, without starting', async () => {
      const result = await run('hyperv-restore-agent.exe', ['--check-config', writeConfig('bad.json', { parallelism: 500 })], 'bad-config');
      assert.equal(result.code, 1);
      assert.match(result.stderr, /invalid configuration: config\.parallelism must be <= 64/);
      assert.doesNotMatch(result.stdout + result.stderr, /agent started|secret-password|token-of-host-7/);
    });

    it('Can accept a valid config without starting', async () => {
      const result = await run('hyperv-restore-agent.exe', ['--check-config', writeConfig('good.json', {})], 'good-config');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /configuration is valid \(agent 7, sidecar http:\/\/127\.0\.0\.1:9\)/);
      assert.doesNotMatch(result.stdout + result.stderr, /agent started/);
    });

    it('Can run the pinned kopia.exe', async () => {
      const result = await run('kopia.exe', ['--version'], 'kopia-version');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^${readPinnedVersions(projectPath()).kopia.replaceAll('.', '\\.')} `));
    });
  });
});
