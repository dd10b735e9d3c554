// Runs the WHMCS module under Debian's php-cli: `php -S` with our WHMCS harness (test/bridge/whmcs-harness), a
// state folder for the module settings, sessions and the module log, and helpers to log in as a client or admin.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from './paths.js';

export interface ModuleSettings {
  sidecar_url: string;
  bridge_secret: string;
  timeout?: string;
}

export interface Session {
  client_id?: number | null;
  admin_id?: number | null;
  masquerading?: boolean;
  csrf?: string;
}

export interface ModuleLogEntry {
  module: string;
  action: string;
  request: string;
  response: string;
}

export interface PhpBridge {
  baseUrl: string;
  setSettings(settings: ModuleSettings): void;
  /** Creates a WHMCS session; returns the Cookie header value and its CSRF token. */
  login(session: Session): { cookie: string; csrf: string };
  moduleLog(): ModuleLogEntry[];
  /** Everything php -S printed (PHP warnings and notices land here and in the body). */
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`php -S exited:\n${output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`php -S did not start:\n${output()}`);
}

export async function startPhpBridge(settings: ModuleSettings): Promise<PhpBridge> {
  const state = mkdtempSync(join(tmpdir(), 'hvr-whmcs-'));
  mkdirSync(join(state, 'sessions'));
  const setSettings = (s: ModuleSettings) => writeFileSync(join(state, 'settings.json'), JSON.stringify({ timeout: '5', ...s }));
  setSettings(settings);
  const port = await freePort();
  const harness = projectPath('test/bridge/whmcs-harness');
  // display_errors on: a PHP warning would show up in the page, where the tests look for it.
  const child = spawn('php', ['-d', 'display_errors=1', '-d', 'error_reporting=E_ALL', '-S', `127.0.0.1:${port}`, '-t', harness, join(harness, 'router.php')], {
    env: { PATH: process.env.PATH ?? '', HVR_HARNESS_STATE: state, PHP_CLI_SERVER_WORKERS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: php -S forks worker processes, and all of them must stop with it.
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForPort(`${baseUrl}/favicon.ico`, child, () => output);
  const logFile = join(state, 'module-log.jsonl');
  return {
    baseUrl,
    setSettings,
    login(session) {
      const id = randomBytes(12).toString('hex');
      const csrf = session.csrf ?? randomBytes(20).toString('hex');
      writeFileSync(join(state, 'sessions', `${id}.json`), JSON.stringify({ client_id: null, admin_id: null, masquerading: false, ...session, csrf }));
      return { cookie: `WHMCSHARNESS=${id}`, csrf };
    },
    moduleLog: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ModuleLogEntry) : []),
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
      rmSync(state, { recursive: true, force: true });
    },
  };
}
