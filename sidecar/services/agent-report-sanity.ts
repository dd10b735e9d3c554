// Pure: what the sidecar believes of an agent's report about its own run. An agent's word is taken for its run
// only as far as the disks it reports allow: a success whose disks all failed is a failure, progress never runs
// past its total or back from what was already recorded, and a finished disk stays finished.
import type { DiskProgressEntry, FinalStatus, ProgressReport } from '../schemas/agent.js';

const NOT_RESTORED: ReadonlySet<string> = new Set(['failed', 'cancelled']);

/**
 * The final status the reported disks allow: all failed -> failed, some failed -> warning; else as reported. The
 * agent's own message is kept unless the status had to change.
 */
export function saneFinalStatus(reported: FinalStatus, message: string, disks: readonly Pick<DiskProgressEntry, 'name' | 'status'>[]): { status: FinalStatus; message: string } {
  if ((reported !== 'success' && reported !== 'warning') || disks.length === 0) return { status: reported, message };
  const lost = disks.filter((d) => NOT_RESTORED.has(d.status)).map((d) => d.name);
  if (lost.length === disks.length) return { status: 'failed', message: `None of the ${disks.length} disks was restored (${lost.join(', ')})` };
  if (lost.length > 0 && reported === 'success') {
    const restored = disks.length - lost.length;
    return { status: 'warning', message: `${restored} of ${disks.length} disks restored; not restored: ${lost.join(', ')}` };
  }
  return { status: reported, message };
}

/** What was recorded for the run before this report. */
export interface RecordedProgress {
  bytesTotal: number;
  bytesDone: number;
  percent: number;
  disks: readonly Pick<DiskProgressEntry, 'name' | 'path' | 'bytes_total' | 'bytes_done' | 'status'>[];
}

function clampDisk(disk: DiskProgressEntry, before: RecordedProgress['disks'][number] | undefined): DiskProgressEntry {
  if (before?.status === 'done' && disk.status !== 'done') return { ...disk, status: 'done', bytes_total: before.bytes_total, bytes_done: before.bytes_total };
  const done = Math.min(disk.bytes_done, disk.bytes_total);
  const same = before !== undefined && before.status === disk.status && before.bytes_total === disk.bytes_total;
  return { ...disk, bytes_done: same ? Math.max(done, before.bytes_done) : done };
}

/**
 * The report as it may be recorded: bytes done at most the total, and never less than recorded for the same total
 * (a resumed disk that starts over shows where it had got to until it passes that). The percentage only grows.
 */
export function clampProgress(report: ProgressReport, before: RecordedProgress): ProgressReport {
  const disks = report.disks.map((d) => clampDisk(d, before.disks.find((b) => b.path === d.path && b.name === d.name)));
  const done = Math.min(report.bytes_done, report.bytes_total);
  return {
    ...report,
    disks,
    bytes_done: before.bytesTotal === report.bytes_total ? Math.max(done, Math.min(before.bytesDone, report.bytes_total)) : done,
    progress_pct: Math.max(report.progress_pct, Math.min(100, before.percent)),
  };
}
