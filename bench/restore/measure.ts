// Measurements for the restore benchmark: peak RSS of a set of processes (sampled from /proc), allocated bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { sampleProc } from '../lib/proc-stats.js';

const listPids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name));

/** Samples the summed RSS of every process whose command line contains `needle`; returns the peak on stop(). */
export function sampleRss(needle: string, everyMs = 100): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    let total = 0;
    for (const pid of listPids()) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) continue;
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        total += match ? Number(match[1]) * 1024 : 0;
      } catch {
        // the process ended between listing and reading
      }
    }
    peak = Math.max(peak, total);
  }, everyMs);
  return { stop: () => { clearInterval(timer); return peak; } };
}

export interface AgentRss {
  /** the engine's node process: its own peak (VmHWM) */
  node: number;
  /** the loopback `kopia server`: its own peak (VmHWM) */
  server: number;
  /** the highest sum of every process of the agent's run (node, server, short kopia calls) seen at one sample */
  together: number;
  /** CPU seconds (user + system) each part used, as last seen before it ended */
  cpu: { node: number; server: number; other: number };
}

type AgentPart = 'node' | 'server' | 'other';

/** The agent's memory and CPU, taken apart and together: every process whose command line contains `needle` (the
 * run's work folder) is sampled; each process's own peak comes from its VmHWM, so a spike between samples still
 * counts. A process's CPU is its last sample, so up to one interval of it is missed at its end. */
export function sampleAgentRss(needle: string, everyMs = 100): { stop(): AgentRss } {
  const seen = new Map<string, { kind: AgentPart; hwm: number; cpuSeconds: number }>();
  let together = 0;
  const sample = () => {
    let total = 0;
    for (const pid of listPids()) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmdline.includes(needle)) continue;
        const proc = sampleProc(Number(pid));
        const argv = cmdline.split('\0');
        const kind = /node$/.test(argv[0] ?? '') ? 'node' : argv.includes('server') ? 'server' : 'other';
        seen.set(pid, { kind, hwm: Math.max(seen.get(pid)?.hwm ?? 0, proc.peakRssBytes), cpuSeconds: proc.cpuSeconds });
        total += proc.rssBytes;
      } catch {
        // the process ended between listing and reading
      }
    }
    together = Math.max(together, total);
  };
  const timer = setInterval(sample, everyMs);
  const of = (kind: AgentPart) => [...seen.values()].filter((p) => p.kind === kind);
  const peak = (kind: AgentPart) => Math.max(0, ...of(kind).map((p) => p.hwm));
  const cpu = (kind: AgentPart) => of(kind).reduce((sum, p) => sum + p.cpuSeconds, 0);
  return { stop: () => {
    clearInterval(timer);
    return { node: peak('node'), server: peak('server'), together, cpu: { node: cpu('node'), server: cpu('server'), other: cpu('other') } };
  } };
}

/** CPU seconds used by the processes whose command line contains `needle`, counted from now to stop(). */
export function cpuOf(needle: string): { stop(): number } {
  const total = () => listPids().reduce((sum, pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle) ? sum + sampleProc(Number(pid)).cpuSeconds : sum;
    } catch {
      return sum;
    }
  }, 0);
  const from = total();
  return { stop: () => total() - from };
}

export async function allocatedBytes(path: string): Promise<number> {
  return (await stat(path)).blocks * 512;
}

export const mb = (bytes: number) => bytes / 1e6;
