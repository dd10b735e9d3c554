// Pure: what a restore writes, built from checked inputs: the run's stats_json and progress_json, and the payload
// of the `hyperv_restore` command (reference-system.md: the agent reads exactly these snake_case keys).
import { adminIdOf, type RestoreActor } from './accountability.js';
import type { ChainPoint } from './restore-chain.js';
import { diskName } from './vm-disks.js';

export interface RestorePlan {
  /** The VM's client (the job's), whoever asked. */
  clientId: number;
  pointId: number;
  vmId: number;
  vmName: string;
  vmGuid: string | null;
  backupType: string;
  targetPath: string;
  /** Selected disk path -> the point's manifest id for it, in the point's order. */
  diskManifests: Record<string, string>;
  chain: ChainPoint[];
  estimatedSizeBytes: number | null;
  actor: RestoreActor;
}

const pick = (manifests: Record<string, string>, disks: string[]) => Object.fromEntries(disks.map((d) => [d, manifests[d]!]));

export function commandPayload(plan: RestorePlan, runId: number, runUuid: string) {
  const disks = Object.keys(plan.diskManifests);
  return {
    backup_point_id: plan.pointId,
    vm_name: plan.vmName,
    vm_guid: plan.vmGuid,
    target_path: plan.targetPath,
    disk_manifests: plan.diskManifests,
    restore_chain: plan.chain.map((m) => ({
      backup_point_id: m.id, manifest_id: m.manifestId, backup_type: m.backupType, disk_manifests: pick(m.diskManifests, disks),
    })),
    backup_type: plan.backupType,
    restore_run_id: runId,
    restore_run_uuid: runUuid,
  };
}

export function runStats(plan: RestorePlan) {
  const disks = Object.keys(plan.diskManifests);
  return {
    type: 'hyperv_restore',
    backup_point_id: plan.pointId,
    vm_id: plan.vmId,
    vm_name: plan.vmName,
    vm_guid: plan.vmGuid,
    backup_type: plan.backupType,
    target_path: plan.targetPath,
    disk_count: disks.length,
    disks,
    estimated_size_bytes: plan.estimatedSizeBytes,
    restore_chain_length: plan.chain.length,
    restore_chain: plan.chain.map((m) => m.id),
    requested_by: { client_id: plan.clientId, admin_id: adminIdOf(plan.actor) },
  };
}

/** The per-disk progress document the agent API keeps up to date; every disk starts pending. */
export function initialProgress(plan: RestorePlan) {
  return {
    disks: Object.keys(plan.diskManifests).map((path) => ({ name: diskName(path), path, bytes_total: 0, bytes_done: 0, status: 'pending' })),
  };
}

