// Starts bench/lib/sidecar-child in its own process and talks to it: its URL, its SQL statement count, its pid
// (for /proc), and stop.
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../test/helpers/paths.js';
import type { ChildMessage } from './sidecar-child.js';

export interface BenchSidecar {
  url: string;
  pid: number;
  logFile: string;
  queryCount(): Promise<number>;
  stop(): Promise<void>;
}

function waitFor<T extends ChildMessage['type']>(child: ChildProcess, type: T): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ChildMessage) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`bench sidecar exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startBenchSidecar(env: Record<string, string>): Promise<BenchSidecar> {
  const logFile = join(tmpdir(), `hvr-bench-sidecar-${process.pid}.log`);
  const out = openSync(logFile, 'w');
  // BENCH_CPU_PROF=<dir>: the sidecar writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = fork(projectPath('dist/bench/lib/sidecar-child.js'), [], {
    execArgv: profile,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', out, 'inherit', 'ipc'],
  });
  closeSync(out);
  const { port } = await waitFor(child, 'listening');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    logFile,
    async queryCount() {
      const answer = waitFor(child, 'queries');
      child.send({ type: 'count-queries' });
      return (await answer).count;
    },
    async stop() {
      if (child.exitCode === null) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
