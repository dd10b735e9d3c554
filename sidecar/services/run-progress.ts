// Pure: the run read model's progress, from the run's columns and the per-disk document the agent API writes
// to progress_json: {"disks":[{name, path, bytes_total, bytes_done, status, message?}]}.
import { parseJsonColumn } from '../db/dialect.js';

import { DISK_STATES, type DiskState } from '../schemas/agent.js';

export type DiskStatus = DiskState;
const isDiskState = (value: unknown): value is DiskState => typeof value === 'string' && (DISK_STATES as readonly string[]).includes(value);

export interface DiskProgressView {
  name: string;
  path: string;
  bytes_total: number;
  bytes_done: number;
  percent: number | null;
  status: DiskStatus;
  message: string | null;
}

export interface ProgressColumns {
  status: string;
  progress_pct: number | string | null;
  bytes_total: number | string | null;
  bytes_transferred: number | string | null;
  speed_bytes_per_sec: number | string | null;
  eta_seconds: number | string | null;
  current_item: string | null;
  progress_json: unknown;
}

const count = (v: unknown): number => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
};
const orNull = (v: number | string | null): number | null => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));
const percentOf = (done: number, total: number): number | null => (total > 0 ? Math.min(100, Math.round((done / total) * 10000) / 100) : null);

/** Reads progress_json defensively: the agent writes it, so any entry that is not a disk object is skipped. */
export function parseDiskProgress(value: unknown): DiskProgressView[] {
  const doc = parseJsonColumn<unknown>(value, null);
  const disks = doc && typeof doc === 'object' && Array.isArray((doc as { disks?: unknown }).disks) ? (doc as { disks: unknown[] }).disks : [];
  return disks.flatMap((d) => {
    if (!d || typeof d !== 'object') return [];
    const o = d as Record<string, unknown>;
    const bytesTotal = count(o.bytes_total);
    const bytesDone = Math.min(count(o.bytes_done), bytesTotal || Number.MAX_SAFE_INTEGER);
    const status = isDiskState(o.status) ? o.status : 'pending';
    return [{
      name: typeof o.name === 'string' ? o.name : '', path: typeof o.path === 'string' ? o.path : '', bytes_total: bytesTotal, bytes_done: bytesDone,
      percent: status === 'done' ? 100 : percentOf(bytesDone, bytesTotal), status, message: typeof o.message === 'string' ? o.message : null,
    }];
  });
}

export function progressView(run: ProgressColumns) {
  const disks = parseDiskProgress(run.progress_json);
  const fromDisks = disks.some((d) => d.bytes_total > 0);
  const bytesTotal = fromDisks ? disks.reduce((s, d) => s + d.bytes_total, 0) : count(run.bytes_total);
  const bytesDone = fromDisks ? disks.reduce((s, d) => s + d.bytes_done, 0) : count(run.bytes_transferred);
  const speed = orNull(run.speed_bytes_per_sec);
  const storedEta = orNull(run.eta_seconds);
  const active = run.status === 'running' || run.status === 'starting';
  const eta = !active ? null : storedEta ?? (speed && speed > 0 && bytesTotal > 0 ? Math.ceil(Math.max(0, bytesTotal - bytesDone) / speed) : null);
  const percent = run.status === 'success' ? 100 : orNull(run.progress_pct) ?? percentOf(bytesDone, bytesTotal) ?? (run.status === 'queued' ? 0 : null);
  const current = disks.find((d) => d.status === 'running');
  return {
    progress: {
      bytes_done: bytesDone, bytes_total: bytesTotal, percent, speed_bytes_per_sec: active ? speed : null, eta_seconds: eta,
      current_disk: current?.name ?? null, current_item: run.current_item,
      disks_done: disks.filter((d) => d.status === 'done').length, disks_total: disks.length,
    },
    disks,
  };
}
