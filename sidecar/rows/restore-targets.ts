// s3_hyperv_restore_targets: what each restore run restores and where (migration 0005), one row per run, written
// with the run. The duplicate check and the admin's VM filter query these columns.
import { TABLES } from '../db/tables.js';
import { targetKey } from '../lib/target-key.js';

export const RESTORE_TARGETS = TABLES.restoreTargets;

export interface RestoreTargetRow {
  run_id: number;
  vm_id: number | null;
  vm_name: string | null;
  target_path: string | null;
  target_key: string | null;
}

export interface RestoreTarget {
  vmId: number | null;
  vmName: string | null;
  targetPath: string | null;
}

/** The columns toRestoreTarget reads, for a query that names the table `t`. */
export const RESTORE_TARGET_COLUMNS = ['t.vm_id', 't.vm_name', 't.target_path'] as const;

export function restoreTargetRow(runId: number, vmId: number, vmName: string, targetPath: string): RestoreTargetRow {
  return { run_id: runId, vm_id: vmId, vm_name: vmName, target_path: targetPath, target_key: targetKey(targetPath) };
}

export function toRestoreTarget(row: { vm_id: unknown; vm_name: unknown; target_path: unknown }): RestoreTarget {
  return {
    vmId: row.vm_id === null || row.vm_id === undefined ? null : Number(row.vm_id),
    vmName: typeof row.vm_name === 'string' ? row.vm_name : null,
    targetPath: typeof row.target_path === 'string' ? row.target_path : null,
  };
}
