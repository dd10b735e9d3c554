// Progress of one restore run: per-disk bytes (a DISK_PROGRESS event at every 10 % of a disk), overall percent, speed
// over a sliding window, ETA. A heartbeat goes to the sidecar every second (never two at once), carrying the latest
// state, and brings back whether cancel was requested; a disk that starts or ends is reported at once, not at the next
// beat (a small disk can start and end within one second, and the page would never see it running). Events are
// flushed first, so the sidecar sees them in order with the progress.
import type { Logger } from '../../sidecar/lib/log.js';
import type { DiskProgressEntry, DiskState, ProgressReport } from '../../sidecar/schemas/agent.js';
import type { DiskProgress } from '../engine/types.js';
import { SidecarError, type SidecarClient } from '../sidecar-client.js';
import type { EventOutbox } from './event-outbox.js';

export const HEARTBEAT_INTERVAL_MS = 1000;
const SPEED_WINDOW_MS = 10_000;

export interface ReporterOptions {
  client: SidecarClient;
  outbox: EventOutbox;
  runId: number;
  log: Logger;
  disks: { name: string; path: string }[];
  /** Called once when the sidecar says cancel was requested, or that the run already ended. */
  onStop(reason: 'cancel' | 'run-finished'): void;
  intervalMs?: number;
}

export class RestoreReporter {
  readonly disks: DiskProgressEntry[];
  current = '';
  private samples: { t: number; done: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  /** A state change came while a beat was on its way: one more beat right after it. */
  private again = false;
  private stopped = false;

  constructor(private readonly options: ReporterOptions) {
    this.disks = options.disks.map((d) => ({ name: d.name, path: d.path, bytes_total: 0, bytes_done: 0, status: 'pending' as DiskState }));
  }

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? HEARTBEAT_INTERVAL_MS);
  }

  setDisk(index: number, patch: Partial<Omit<DiskProgressEntry, 'name' | 'path'>>): void {
    const disk = this.disks[index];
    if (!disk) return;
    const changed = patch.status !== undefined && patch.status !== disk.status;
    Object.assign(disk, patch);
    if (changed && this.timer) void this.tick();
  }

  /** Feeds one disk's bytes in and adds DISK_PROGRESS at every 10 % of it. */
  progressOf(index: number): (progress: DiskProgress) => void {
    const name = this.disks[index]?.name ?? '';
    let decile = 0;
    return ({ bytesDone, bytesTotal }) => {
      this.setDisk(index, { bytes_done: bytesDone, bytes_total: bytesTotal });
      const reached = bytesTotal > 0 ? Math.floor((bytesDone / bytesTotal) * 10) : 0;
      if (reached <= decile || reached >= 10) return;
      decile = reached;
      this.options.outbox.add('HYPERV_RESTORE_DISK_PROGRESS', { disk_name: name, bytes_done: bytesDone, bytes_total: bytesTotal, percent: reached * 10 });
    };
  }

  report(): ProgressReport {
    const now = Date.now();
    const bytesDone = this.disks.reduce((s, d) => s + d.bytes_done, 0);
    const bytesTotal = this.disks.reduce((s, d) => s + d.bytes_total, 0);
    this.samples.push({ t: now, done: bytesDone });
    while (this.samples.length > 2 && now - this.samples[0]!.t > SPEED_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const speed = now > first.t ? Math.max(0, Math.round(((bytesDone - first.done) * 1000) / (now - first.t))) : 0;
    // Disks not started yet have no size: each disk counts as an equal share until its size is known.
    const share = this.disks.map((d) => (d.status === 'done' ? 1 : d.bytes_total > 0 ? d.bytes_done / d.bytes_total : 0));
    const pct = this.disks.length ? (share.reduce((s, x) => s + x, 0) / this.disks.length) * 100 : 0;
    const remaining = Math.max(0, bytesTotal - bytesDone);
    return {
      bytes_total: bytesTotal,
      bytes_done: bytesDone,
      progress_pct: Math.min(100, Math.round(pct * 100) / 100),
      speed_bytes_per_sec: speed,
      eta_seconds: speed > 0 ? Math.ceil(remaining / speed) : null,
      current_item: this.current,
      disks: this.disks.map((d) => ({ ...d })),
    };
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.beat().finally(() => {
      this.ticking = null;
      if (this.again) {
        this.again = false;
        void this.tick();
      }
    });
    await this.ticking;
  }

  private async beat(): Promise<void> {
    const { client, outbox, runId, log, onStop } = this.options;
    await outbox.flush();
    try {
      const answer = await client.heartbeat(runId, { status: 'running', ...this.report() });
      if (answer.cancel_requested) onStop('cancel');
    } catch (thrown) {
      if (thrown instanceof SidecarError && thrown.status === 409) onStop('run-finished');
      else log.warn('heartbeat not delivered', { runId, err: thrown });
    }
  }

  /** Stops the timer and waits for a heartbeat in flight; the caller sends the final state with finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }
}
