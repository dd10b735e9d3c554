// How a restore's status reads to a customer, and its badge tone: the pages' one table (the live page gets it in
// its config, so the browser says exactly what the server-rendered history says).
import type { RunStatus } from '../services/run-status.js';

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  queued: 'Queued', starting: 'Starting', running: 'Restoring', success: 'Completed', warning: 'Completed with warnings', failed: 'Failed',
  cancelled: 'Cancelled',
};

export const RUN_STATUS_TONES: Record<RunStatus, string> = {
  queued: 'neutral', starting: 'info', running: 'info', success: 'ok', warning: 'warn', failed: 'error', cancelled: 'neutral',
};

export function statusBadge(status: string): { label: string; tone: string } {
  const known = status in RUN_STATUS_LABELS ? (status as RunStatus) : null;
  return known ? { label: RUN_STATUS_LABELS[known], tone: RUN_STATUS_TONES[known] } : { label: status, tone: 'neutral' };
}
