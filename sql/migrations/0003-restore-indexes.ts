// Indexes the restore's queries need, added only where no index already starts with the same columns.
import { hasIndexOn } from './indexes.js';
import type { Migration } from './types.js';

const NEEDED: { table: string; columns: string[]; name: string }[] = [
  { table: 's3_cloudbackup_jobs', columns: ['client_id'], name: 'hvr_jobs_client' },
  { table: 's3_hyperv_vms', columns: ['job_id'], name: 'hvr_vms_job' },
  { table: 's3_hyperv_vm_disks', columns: ['vm_id'], name: 'hvr_disks_vm' },
  { table: 's3_hyperv_backup_points', columns: ['vm_id', 'created_at'], name: 'hvr_points_vm_created' },
  { table: 's3_hyperv_backup_points', columns: ['parent_backup_id'], name: 'hvr_points_parent' },
  { table: 's3_cloudbackup_runs', columns: ['job_id', 'status'], name: 'hvr_runs_job_status' },
  { table: 's3_cloudbackup_runs', columns: ['run_uuid'], name: 'hvr_runs_uuid' },
  { table: 's3_cloudbackup_run_commands', columns: ['agent_id', 'status'], name: 'hvr_commands_agent_status' },
  { table: 's3_cloudbackup_run_commands', columns: ['run_id', 'status'], name: 'hvr_commands_run_status' },
  { table: 's3_cloudbackup_run_events', columns: ['run_id', 'id'], name: 'hvr_events_run_id' },
];

export const restoreIndexes: Migration = {
  id: '0003-restore-indexes',
  async up(db) {
    for (const { table, columns, name } of NEEDED) {
      if (await hasIndexOn(db, table, columns)) continue;
      await db.schema.alterTable(table, (t) => t.index(columns, name));
    }
  },
};
