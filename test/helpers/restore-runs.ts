// Inserts restore runs directly, with the stats_json keys and the restore-target row startRestore writes, for admin
// and bridge tests.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { TABLES } from '../../sidecar/db/tables.js';
import { restoreTargetRow } from '../../sidecar/rows/restore-targets.js';
import type { RunStatus } from '../../sidecar/services/run-status.js';
import { appendEvents } from '../../sidecar/services/run-events.js';

export interface RestoreRunSpec {
  jobId: number;
  agentId: number | null;
  vmId: number;
  vmName: string;
  status: RunStatus;
  minute: number;
  targetPath?: string;
  /** The per-disk progress the agent reports (progress_json), e.g. which disks were restored. */
  disks?: { name: string; status: 'pending' | 'running' | 'done' | 'failed'; bytes?: number }[];
  errorSummary?: string;
}

const BASE = Date.parse('2026-11-20T08:00:00Z');

export async function insertRestoreRun(db: Knex, s: RestoreRunSpec): Promise<number> {
  const at = new Date(BASE + s.minute * 60_000);
  const target = s.targetPath ?? `D:\\Restore\\${s.vmName}`;
  const [id] = await db('s3_cloudbackup_runs').insert({
    job_id: s.jobId, agent_id: s.agentId, run_uuid: randomUUID(), run_type: 'hyperv_restore', status: s.status,
    created_at: toDbTime(at), updated_at: toDbTime(at), cancel_requested: 0,
    finished_at: ['success', 'warning', 'failed', 'cancelled'].includes(s.status) ? toDbTime(new Date(at.getTime() + 60_000)) : null,
    stats_json: JSON.stringify({ type: 'hyperv_restore', vm_id: s.vmId, vm_name: s.vmName, target_path: target }),
    error_summary: s.errorSummary ?? null,
    progress_json: s.disks ? JSON.stringify({ disks: s.disks.map((d) => ({
      name: d.name, path: `C:\\VMs\\${s.vmName}\\${d.name}`, bytes_total: d.bytes ?? 1024, bytes_done: d.status === 'done' ? d.bytes ?? 1024 : 0, status: d.status,
    })) }) : null,
  });
  const runId = Number(id);
  await db(TABLES.restoreTargets).insert(restoreTargetRow(runId, s.vmId, s.vmName, target));
  await appendEvents(db, runId, [{ messageId: 'HYPERV_RESTORE_QUEUED', params: { vm_name: s.vmName, disk_count: 2 }, ts: at }]);
  return runId;
}
