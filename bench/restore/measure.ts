// Measurements for the restore benchmark: peak RSS of a set of processes (sampled from /proc), allocated bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Samples the summed RSS of every process whose command line contains `needle`; returns the peak on stop(). */
export function sampleRss(needle: string, everyMs = 100): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    let total = 0;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
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
}

/** The agent's memory, taken apart and together: every process whose command line contains `needle` (the run's
 * work folder) is sampled; each process's own peak comes from its VmHWM, so a spike between samples still counts. */
export function sampleAgentRss(needle: string, everyMs = 100): { stop(): AgentRss } {
  const peakOf = new Map<string, { kind: 'node' | 'server' | 'other'; hwm: number }>();
  let together = 0;
  const sample = () => {
    let total = 0;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmdline.includes(needle)) continue;
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
        const argv = cmdline.split('\0');
        const kind = /node$/.test(argv[0] ?? '') ? 'node' : argv.includes('server') ? 'server' : 'other';
        peakOf.set(pid, { kind, hwm: Math.max(peakOf.get(pid)?.hwm ?? 0, kib('VmHWM')) });
        total += kib('VmRSS');
      } catch {
        // the process ended between listing and reading
      }
    }
    together = Math.max(together, total);
  };
  const timer = setInterval(sample, everyMs);
  const peak = (kind: 'node' | 'server') => Math.max(0, ...[...peakOf.values()].filter((p) => p.kind === kind).map((p) => p.hwm));
  return { stop: () => { clearInterval(timer); return { node: peak('node'), server: peak('server'), together }; } };
}

export async function allocatedBytes(path: string): Promise<number> {
  return (await stat(path)).blocks * 512;
}

export const mb = (bytes: number) => bytes / 1e6;
