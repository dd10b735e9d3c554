// CPU time and memory of one process, read from /proc (Linux): what the sidecar costs while a benchmark runs.
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (`getconf CLK_TCK`); 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

export interface ProcSample {
  /** user + system CPU seconds since the process started */
  cpuSeconds: number;
  rssBytes: number;
  /** peak RSS (VmHWM) */
  peakRssBytes: number;
  at: number;
}

export function sampleProc(pid: number): ProcSample {
  // Fields after the command name (which may hold spaces) start at "state"; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuSeconds, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM'), at: Date.now() };
}

/** Average CPU use between two samples, in percent of one core. */
export function cpuPercent(from: ProcSample, to: ProcSample): number {
  const wall = (to.at - from.at) / 1000;
  return wall > 0 ? ((to.cpuSeconds - from.cpuSeconds) / wall) * 100 : 0;
}

/** Samples every `everyMs` and keeps the highest RSS seen. */
export function watchRss(pid: number, everyMs = 250): { stop(): number } {
  let peak = sampleProc(pid).rssBytes;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, sampleProc(pid).rssBytes);
    } catch {
      // the process ended; keep what was seen
    }
  }, everyMs);
  return { stop: () => { clearInterval(timer); return peak; } };
}

/** The 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
