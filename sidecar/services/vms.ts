// The client's Hyper-V VMs. Ownership: a VM belongs to the client of its job; every query here is scoped by it.
import type { Knex } from 'knex';
import { isoTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { createTickBatcherPer } from '../lib/tick-batcher.js';
import type { ClientScope } from './accountability.js';
import { parseDiskManifests, type BackupPointRow } from '../rows/backup-points.js';
import { deriveDisks, listVmDisks, type DiskView } from './vm-disks.js';

export const GOOD_RUN_STATUSES = ['success', 'warning'] as const;

export interface VmView {
  id: number;
  vm_name: string;
  vm_guid: string | null;
  generation: number;
  is_linux: boolean;
  rct_enabled: boolean;
  backup_enabled: boolean;
  job_id: number;
  job_name: string;
}

interface VmRow {
  id: number | string;
  vm_name: string;
  vm_guid: string | null;
  generation: number | string | null;
  is_linux: number | boolean | null;
  rct_enabled: number | boolean | null;
  backup_enabled: number | boolean | null;
  job_id: number | string;
  job_name: string;
}

const VM_COLUMNS = ['v.id', 'v.vm_name', 'v.vm_guid', 'v.generation', 'v.is_linux', 'v.rct_enabled', 'v.backup_enabled', 'v.job_id', 'j.name as job_name'];

function toVmView(r: VmRow): VmView {
  return {
    id: Number(r.id), vm_name: r.vm_name, vm_guid: r.vm_guid, generation: Number(r.generation ?? 2), is_linux: Boolean(Number(r.is_linux)),
    rct_enabled: Boolean(Number(r.rct_enabled)), backup_enabled: Boolean(Number(r.backup_enabled ?? 1)), job_id: Number(r.job_id), job_name: r.job_name,
  };
}

function clientVms(db: Knex, who: ClientScope) {
  return db(`${TABLES.vms} as v`).join(`${TABLES.jobs} as j`, 'j.id', 'v.job_id').where('j.client_id', who.clientId);
}

interface VmKey {
  clientId: number;
  vmId: number;
}

/** The VMs of several lookups in one query; each answer is the VM only when its job belongs to that lookup's client. */
async function findClientVms(db: Knex, keys: VmKey[]): Promise<(VmView | null)[]> {
  const rows = (await db(`${TABLES.vms} as v`).join(`${TABLES.jobs} as j`, 'j.id', 'v.job_id')
    .whereIn('v.id', [...new Set(keys.map((k) => k.vmId))])
    .select([...VM_COLUMNS, 'j.client_id'])) as (VmRow & { client_id: number | string })[];
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return keys.map(({ clientId, vmId }) => {
    const row = byId.get(vmId);
    return row && Number(row.client_id) === clientId ? toVmView(row) : null;
  });
}

const lookupBatched = createTickBatcherPer(findClientVms);

/**
 * The VM when it belongs to the client, else null (a foreign VM answers exactly like a missing one). Lookups of
 * concurrent requests share one query.
 */
export function findClientVm(db: Knex, who: ClientScope, vmId: number): Promise<VmView | null> {
  return lookupBatched(db, { clientId: who.clientId, vmId });
}

type LatestRow = Pick<BackupPointRow, 'id' | 'vm_id' | 'backup_type' | 'created_at' | 'total_size_bytes' | 'consistency_level' | 'disk_manifests'> & {
  point_count: number | string;
};

/** The newest point with a successful run per VM, plus each VM's number of such points: one query. */
async function latestPoints(db: Knex, vmIds: number[]): Promise<Map<number, LatestRow>> {
  if (vmIds.length === 0) return new Map();
  const ranked = db(`${TABLES.points} as bp`)
    .join(`${TABLES.runs} as r`, 'r.id', 'bp.run_id')
    .whereIn('bp.vm_id', vmIds)
    .whereIn('r.status', [...GOOD_RUN_STATUSES])
    .select('bp.id', 'bp.vm_id', 'bp.backup_type', 'bp.created_at', 'bp.total_size_bytes', 'bp.consistency_level', 'bp.disk_manifests')
    .select(db.raw('ROW_NUMBER() OVER (PARTITION BY bp.vm_id ORDER BY bp.created_at DESC, bp.id DESC) AS rn'))
    .select(db.raw('COUNT(*) OVER (PARTITION BY bp.vm_id) AS point_count'));
  const rows = (await db.from(ranked.as('ranked')).select('*').where('rn', 1)) as LatestRow[];
  return new Map(rows.map((r) => [Number(r.vm_id), r]));
}

export async function listVms(db: Knex, who: ClientScope, jobId?: number) {
  const rows = (await clientVms(db, who)
    .modify((q) => { if (jobId !== undefined) q.where('v.job_id', jobId); })
    .select(VM_COLUMNS)
    .orderBy([{ column: 'v.vm_name' }, { column: 'v.id' }])) as VmRow[];
  const vms = rows.map(toVmView);
  const ids = vms.map((v) => v.id);
  const [disks, latest] = await Promise.all([listVmDisks(db, ids), latestPoints(db, ids)]);
  return vms.map((vm) => {
    const point = latest.get(vm.id);
    const vmDisks: DiskView[] = disks.get(vm.id) ?? (point ? deriveDisks([parseDiskManifests(point.disk_manifests)]) : []);
    return {
      ...vm,
      disks: vmDisks,
      backup_point_count: point ? Number(point.point_count) : 0,
      latest_backup_point: point ? {
        id: Number(point.id), backup_type: point.backup_type, created_at: isoTime(point.created_at),
        total_size_bytes: point.total_size_bytes === null ? null : Number(point.total_size_bytes), consistency_level: point.consistency_level,
      } : null,
    };
  });
}
