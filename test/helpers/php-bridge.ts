// Runs the WHMCS module under Debian's php-cli: `php -S` with our WHMCS harness (test/bridge/whmcs-harness), a
// state folder for the module settings, sessions and the module log, and helpers to log in as a client or admin.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectPath } from './paths.js';

export interface ModuleSettings {
  sidecar_url: string;
  bridge_secret: string;
  timeout?: string;
  /** WHMCS's yesno field: 'on' ticked, '' not; absent = never saved (the default, on). */
  notify_client?: string;
  /** "Client area Bootstrap": auto, bootstrap3 or bootstrap4. */
  theme?: string;
}

/** One localAPI call the module made, as the harness recorded it. */
export interface LocalApiCall {
  command: string;
  values: Record<string, unknown>;
  /** unserialize(base64_decode(customvars)), as WHMCS reads it. */
  customvars_decoded?: Record<string, unknown>;
  result: 'success' | 'error';
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
  /** Runs the module's hook under php-cli as WHMCS's cron would; resolves to what PHP printed. Asynchronous: the
   *  sidecar it calls usually runs in this very process. */
  runHook(name: string): Promise<string>;
  localApiCalls(): LocalApiCall[];
  /** SendEmail to these client ids answers an error (mail down) until changed. */
  failSendEmailFor(clientIds: number[]): void;
  /** Rows of a WHMCS table the module writes (tblemailtemplates), and a way to edit them as an admin would. */
  tableRows(name: string): Record<string, unknown>[];
  writeTableRows(name: string, rows: Record<string, unknown>[]): void;
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
  const jsonLines = <T>(file: string): T[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : []);
  const tableFile = (name: string) => join(state, `table-${name}.json`);
  return {
    baseUrl,
    setSettings,
    login(session) {
      const id = randomBytes(12).toString('hex');
      const csrf = session.csrf ?? randomBytes(20).toString('hex');
      writeFileSync(join(state, 'sessions', `${id}.json`), JSON.stringify({ client_id: null, admin_id: null, masquerading: false, ...session, csrf }));
      return { cookie: `WHMCSHARNESS=${id}`, csrf };
    },
    moduleLog: () => jsonLines<ModuleLogEntry>(logFile),
    runHook: async (name) => (await promisify(execFile)('php', ['-d', 'display_errors=1', '-d', 'error_reporting=E_ALL', join(harness, 'run-hook.php'), name], {
      env: { PATH: process.env.PATH ?? '', HVR_HARNESS_STATE: state }, encoding: 'utf8',
    })).stdout,
    localApiCalls: () => jsonLines<LocalApiCall>(join(state, 'localapi.jsonl')),
    failSendEmailFor: (clientIds) => writeFileSync(join(state, 'localapi-fail.json'), JSON.stringify(clientIds)),
    tableRows: (name) => (existsSync(tableFile(name)) ? JSON.parse(readFileSync(tableFile(name), 'utf8')) as Record<string, unknown>[] : []),
    writeTableRows: (name, rows) => writeFileSync(tableFile(name), JSON.stringify(rows)),
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
