// Runs the compiled agent (dist/agent/main.js) as a real process with a JSON config file.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from './paths.js';

export interface AgentProcess {
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function writeAgentConfig(dir: string, config: unknown, name = 'agent.json'): string {
  const file = join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

export function startAgent(configFile: string): AgentProcess {
  const child = spawn(process.execPath, [projectPath('dist/agent/main.js'), '--config', configFile], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the agent expecting it to refuse its config; resolves with its exit code and everything it printed. */
export async function runAgentExpectingExit(configFile: string | null): Promise<{ code: number | null; output: string }> {
  return runAgentToExit(configFile ? ['--config', configFile] : []);
}

/** Runs the agent with these arguments to its end; resolves with its exit code and everything it printed. */
export async function runAgentToExit(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [projectPath('dist/agent/main.js'), ...args], { env: { PATH: process.env.PATH ?? '' } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}
