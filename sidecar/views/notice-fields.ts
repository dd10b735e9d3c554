// Pure: the merge fields of the "Hyper-V Restore Finished" client e-mail (WHMCS template, created by the bridge on
// activation). The sidecar writes every word; the bridge only hands the fields to WHMCS's SendEmail as customvars.
// Customers see their VM's name, their own target path and file names: never internal ids or host paths.
import type { DiskProgressView } from '../services/run-progress.js';
import type { TerminalStatus } from '../services/run-status.js';
import { createLinks } from './links.js';
import { RUN_STATUS_LABELS } from './run-labels.js';

export interface NoticeRun {
  runId: number;
  status: TerminalStatus;
  vmName: string;
  targetPath: string;
  disks: readonly DiskProgressView[];
  /** The run's customer-facing error summary (a failed run's reason). */
  errorSummary: string | null;
}

export interface NoticeFields {
  hvr_vm_name: string;
  hvr_status: string;
  hvr_disks_restored: number;
  hvr_disks_total: number;
  hvr_disks_text: string;
  hvr_target_path: string;
  hvr_files: string[];
  hvr_files_text: string;
  hvr_reason: string;
  hvr_next_steps: string;
  hvr_live_path: string;
}

export const ATTACH_STEPS = 'Attach the restored disks in Hyper-V Manager: shut down the VM that should use them (or create a new VM with '
  + '"Use an existing virtual hard disk"), open its Settings, select the SCSI Controller (IDE for a Generation 1 boot disk), '
  + 'choose Hard Drive > Add and browse to each restored .vhdx file.';

function nextSteps(status: TerminalStatus, restored: number): string {
  if (status === 'success') return ATTACH_STEPS;
  if (status === 'warning') return `${ATTACH_STEPS} The restore finished with warnings: the restore page lists them.`;
  const kept = restored > 0 ? 'The disks listed above are in the folder; the others were not restored. ' : 'No disk was restored. ';
  if (status === 'cancelled') return `The restore was stopped before it finished. ${kept}You can start a new restore at any time.`;
  return `${kept}You can start the restore again from the client area; if it keeps failing, contact support and mention this restore.`;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export function noticeFields(run: NoticeRun): NoticeFields {
  const done = run.disks.filter((d) => d.status === 'done');
  const folder = run.targetPath.replace(/\\+$/, '');
  const files = folder === '' ? [] : done.map((d) => `${folder}\\${d.name}`);
  const total = run.disks.length;
  return {
    hvr_vm_name: run.vmName,
    hvr_status: RUN_STATUS_LABELS[run.status],
    hvr_disks_restored: done.length,
    hvr_disks_total: total,
    hvr_disks_text: `${done.length} of ${total} ${plural(total, 'disk', 'disks')} restored`,
    hvr_target_path: run.targetPath,
    hvr_files: files,
    hvr_files_text: files.join('\n'),
    hvr_reason: run.status === 'failed' ? run.errorSummary ?? '' : '',
    hvr_next_steps: nextSteps(run.status, done.length),
    hvr_live_path: createLinks('bridge').page('live', { run_id: run.runId }),
  };
}
