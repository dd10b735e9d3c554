// Starts a Hyper-V restore: checks the request against the client's own data, then writes the run (run_type
// `hyperv_restore`, which the reference's pages recognise), our own restore command (a type the reference's agent is
// never handed) and the HYPERV_RESTORE_QUEUED event in one transaction. Nothing is written unless
// every check passed.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isSqlite, toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { errors } from '../lib/errors.js';
import { targetKey } from '../lib/target-key.js';
import { validateTargetPath } from '../lib/target-path.js';
import { restoreTargetRow } from '../rows/restore-targets.js';
import { RESTORE_COMMAND_TYPE } from '../schemas/agent.js';
import type { StartRestoreBody } from '../schemas/client.js';
import { adminIdOf, type RestoreActor } from './accountability.js';
import { parseDiskManifests, POINTS, type BackupPointRow } from '../rows/backup-points.js';
import { loadChainPoints } from './chain-points.js';
import { buildRestoreChain } from './restore-chain.js';
import { commandPayload, initialProgress, runStats, type RestorePlan } from './restore-payload.js';
import { requireRestoreHost } from './restore-hosts.js';
import { appendEvents } from './run-events.js';
import { ACTIVE_STATUSES } from './run-status.js';

/** The run's type, as the reference module writes it for a Hyper-V restore (its pages and backup claim know it). */
export const RESTORE_RUN_TYPE = 'hyperv_restore';

/** A backup point with the VM, job and agent it belongs to. */
type OwnedPoint = Pick<BackupPointRow, 'id' | 'vm_id' | 'backup_type' | 'manifest_id' | 'disk_manifests' | 'total_size_bytes'> & {
  vm_name: string;
  vm_guid: string | null;
  job_id: number | string;
  job_client_id: number | string;
  agent_id: number | string | null;
  agent_client_id: number | string | null;
  agent_status: string | null;
};

/** The point when the actor may restore it: a client only their own, an admin any client's. */
function findOwnedPoint(db: Knex, who: RestoreActor, pointId: number): Promise<OwnedPoint | undefined> {
  return db(`${POINTS} as bp`)
    .join(`${TABLES.vms} as v`, 'v.id', 'bp.vm_id')
    .join(`${TABLES.jobs} as j`, 'j.id', 'v.job_id')
    .leftJoin(`${TABLES.agents} as a`, 'a.id', 'j.agent_id')
    .where('bp.id', pointId)
    .modify((q) => { if (who.kind === 'client') q.andWhere('j.client_id', who.clientId); })
    .first('bp.id', 'bp.vm_id', 'bp.backup_type', 'bp.manifest_id', 'bp.disk_manifests', 'bp.total_size_bytes', 'v.vm_name', 'v.vm_guid',
      'j.id as job_id', 'j.client_id as job_client_id', 'a.id as agent_id', 'a.client_id as agent_client_id', 'a.status as agent_status');
}

/** The selected disks in the point's order; a filter must name disks of this point, each once. */
export function selectDisks(manifests: Record<string, string>, filter: readonly string[] | undefined): string[] {
  const all = Object.keys(manifests);
  if (filter === undefined) {
    if (all.length === 0) throw errors.noDisksSelected();
    return all;
  }
  if (filter.length === 0) throw errors.noDisksSelected();
  const seen = new Set<string>();
  for (const disk of filter) {
    if (seen.has(disk)) throw errors.invalid(`disk_filter names the same disk twice: ${disk}`, 'INVALID_DISK_FILTER');
    // Own keys only: `in` would find "constructor" or "__proto__" on every object.
    if (!Object.hasOwn(manifests, disk)) throw errors.invalid(`disk_filter names a disk that is not in this backup point: ${disk}`, 'INVALID_DISK_FILTER');
    seen.add(disk);
  }
  return all.filter((d) => seen.has(d));
}

function checkJobAgent(p: OwnedPoint): number {
  if (p.agent_id === null || Number(p.agent_client_id) !== Number(p.job_client_id)) throw errors.agentMissing();
  if (p.agent_status !== 'active') throw errors.agentDisabled();
  return Number(p.agent_id);
}

/** The host the restore goes to: the one asked for (an active agent of the VM's client), else the job's agent. */
function chooseAgent(db: Knex, p: OwnedPoint, agentId: number | undefined): Promise<number> | number {
  return agentId === undefined ? checkJobAgent(p) : requireRestoreHost(db, { clientId: Number(p.job_client_id) }, agentId);
}

async function planRestore(db: Knex, who: RestoreActor, input: StartRestoreBody): Promise<{ plan: RestorePlan; jobId: number; agentId: number }> {
  const target = validateTargetPath(input.target_path);
  const point = await findOwnedPoint(db, who, input.backup_point_id);
  if (!target.ok) {
    // Said again with the VM's name when the point is the client's, so the suggested folder fits this VM.
    const named = point ? validateTargetPath(input.target_path, { vmName: point.vm_name }) : target;
    throw errors.invalid(named.ok ? target.message : named.message, 'INVALID_TARGET_PATH');
  }
  if (!point) throw errors.backupPointNotFound();
  const manifests = parseDiskManifests(point.disk_manifests);
  const disks = selectDisks(manifests, input.disk_filter);
  const chain = buildRestoreChain(Number(point.id), await loadChainPoints(db, [Number(point.id)]), disks);
  if (!chain.ok) throw errors.restoreChainBroken();
  const agentId = await chooseAgent(db, point, input.agent_id);
  const total = point.total_size_bytes === null ? null : Number(point.total_size_bytes);
  const plan: RestorePlan = {
    clientId: Number(point.job_client_id), pointId: Number(point.id), vmId: Number(point.vm_id), vmName: point.vm_name, vmGuid: point.vm_guid, backupType: point.backup_type,
    targetPath: target.path, diskManifests: Object.fromEntries(disks.map((d) => [d, manifests[d]!])), chain: chain.members,
    // The point's size covers all its disks; a subset is estimated by its share of the disks.
    estimatedSizeBytes: total === null ? null : Math.round((total * disks.length) / Object.keys(manifests).length),
    actor: who,
  };
  return { plan, jobId: Number(point.job_id), agentId };
}

/** Refuses a second restore of the same VM into the same folder of the same host while one is queued or running.
 *  Another host's folder of that name is another folder. */
async function assertNoActiveDuplicate(trx: Knex, jobId: number, agentId: number, plan: RestorePlan): Promise<void> {
  // Serialises restores of one job on MariaDB so two concurrent requests cannot both pass this check. SQLite
  // needs no lock: its single connection runs one transaction at a time.
  if (!isSqlite(trx)) await trx(TABLES.jobs).where('id', jobId).forUpdate().first('id');
  const clash = await trx(`${TABLES.runs} as r`).join(`${TABLES.restoreTargets} as t`, 't.run_id', 'r.id')
    .where({ 'r.job_id': jobId, 'r.agent_id': agentId, 'r.run_type': RESTORE_RUN_TYPE, 't.vm_id': plan.vmId, 't.target_key': targetKey(plan.targetPath) })
    .whereIn('r.status', [...ACTIVE_STATUSES])
    .first('r.id');
  if (clash) throw errors.restoreAlreadyActive(Number(clash.id));
}

async function insertId(trx: Knex, table: string, row: Record<string, unknown>): Promise<number> {
  const [id] = await trx(table).insert(row);
  return Number(id);
}

export async function startRestore(db: Knex, who: RestoreActor, input: StartRestoreBody) {
  const { plan, jobId, agentId } = await planRestore(db, who, input);
  const now = toDbTime();
  const runUuid = randomUUID();
  const { runId, commandId } = await db.transaction(async (trx) => {
    await assertNoActiveDuplicate(trx, jobId, agentId, plan);
    const runId = await insertId(trx, TABLES.runs, {
      run_uuid: runUuid, job_id: jobId, agent_id: agentId, status: 'queued', run_type: RESTORE_RUN_TYPE, engine: 'hyperv',
      trigger_type: 'manual', cancel_requested: 0, created_at: now, updated_at: now,
      stats_json: JSON.stringify(runStats(plan)), progress_json: JSON.stringify(initialProgress(plan)),
    });
    await trx(TABLES.restoreTargets).insert(restoreTargetRow(runId, plan.vmId, plan.vmName, plan.targetPath));
    const commandId = await insertId(trx, TABLES.commands, {
      run_id: runId, agent_id: agentId, type: RESTORE_COMMAND_TYPE, status: 'pending', created_at: now,
      payload_json: JSON.stringify(commandPayload(plan, runId, runUuid)),
    });
    await appendEvents(trx, runId, [{ messageId: 'HYPERV_RESTORE_QUEUED', params: {
      vm_name: plan.vmName, disk_count: Object.keys(plan.diskManifests).length, backup_type: plan.backupType, target_path: plan.targetPath,
      backup_point_id: plan.pointId, restore_chain_length: plan.chain.length, admin_id: adminIdOf(who),
    } }]);
    return { runId, commandId };
  });
  return {
    message: 'Hyper-V restore started', restore_run_id: runId, restore_run_uuid: runUuid, command_id: commandId, job_id: jobId, agent_id: agentId,
    vm_name: plan.vmName, disks_to_restore: Object.keys(plan.diskManifests).length, estimated_size_bytes: plan.estimatedSizeBytes,
    backup_type: plan.backupType, restore_chain_length: plan.chain.length, target_path: plan.targetPath,
  };
}
