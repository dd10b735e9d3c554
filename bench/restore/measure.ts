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

export async function allocatedBytes(path: string): Promise<number> {
  return (await stat(path)).blocks * 512;
}

export const mb = (bytes: number) => bytes / 1e6;
