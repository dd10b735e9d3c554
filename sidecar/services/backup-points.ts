// Restore points of one of the client's VMs: newest first, only points whose backup run ended success/warning,
// each with its restore chain and whether it is restorable. Five queries whatever the page size, offset or chain
// length (docs/performance.md): the VM check, then the VM's listed ids and its disks together (its "index"), then
// the page's rows and chains together. The id list is the one query whose cost grows with the VM's history (it
// joins every point to its run); it gives the total and every page (a slice, so a deep `offset` costs no more than
// the first page). The index is kept as long as a listing page (LISTING_CACHE_MS), shared by every page of the same
// VM and filter, so a page that is not cached yet costs two queries.
import type { Knex } from 'knex';
import { isoTime, parseJsonColumn } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { errors } from '../lib/errors.js';
import type { TtlCache } from '../lib/ttl-cache.js';
import type { BackupPointsQuery } from '../schemas/client.js';
import type { ClientScope } from './accountability.js';
import { parseDiskManifests, type BackupPointRow } from '../rows/backup-points.js';
import { loadChainPoints } from './chain-points.js';
import { buildRestoreChain, type ChainPoint } from './restore-chain.js';
import { deriveDisks, listVmDisks, type DiskView } from './vm-disks.js';
import { findClientVm, GOOD_RUN_STATUSES, type VmView } from './vms.js';

type PointRow = Omit<BackupPointRow, 'vm_id'> & {
  run_started_at: unknown;
  run_finished_at: unknown;
};

const POINT_COLUMNS = [
  'bp.id', 'bp.run_id', 'bp.backup_type', 'bp.manifest_id', 'bp.parent_backup_id', 'bp.disk_manifests', 'bp.total_size_bytes',
  'bp.changed_size_bytes', 'bp.duration_seconds', 'bp.consistency_level', 'bp.created_at', 'r.started_at as run_started_at',
  'r.finished_at as run_finished_at', 'bp.has_warnings', 'bp.warning_code', 'bp.warnings_json',
];

// The reference shows 0 as "unknown" for these sizes and durations; so do we.
const positiveOrNull = (v: number | string | null): number | null => (v === null || Number(v) === 0 ? null : Number(v));

export function chainEntry(p: ChainPoint) {
  return { backup_point_id: p.id, backup_type: p.backupType, manifest_id: p.manifestId, created_at: p.createdAt };
}

function toPointView(r: PointRow, chains: ReadonlyMap<number, ChainPoint>) {
  const diskManifests = parseDiskManifests(r.disk_manifests);
  const chain = buildRestoreChain(Number(r.id), chains);
  const warnings = parseJsonColumn<unknown>(r.warnings_json, []);
  return {
    id: Number(r.id),
    run_id: Number(r.run_id),
    backup_type: r.backup_type,
    manifest_id: r.manifest_id,
    parent_backup_id: r.parent_backup_id === null ? null : Number(r.parent_backup_id),
    disk_manifests: diskManifests,
    disk_count: Object.keys(diskManifests).length,
    total_size_bytes: positiveOrNull(r.total_size_bytes),
    changed_size_bytes: positiveOrNull(r.changed_size_bytes),
    duration_seconds: positiveOrNull(r.duration_seconds),
    consistency_level: r.consistency_level ?? 'Application',
    created_at: isoTime(r.created_at),
    run_started_at: isoTime(r.run_started_at),
    run_finished_at: isoTime(r.run_finished_at),
    has_warnings: Boolean(Number(r.has_warnings)),
    warning_code: r.warning_code,
    warnings: Array.isArray(warnings) ? warnings : [],
    restore_chain: chain.ok ? chain.members.map(chainEntry) : [],
    restore_chain_length: chain.ok ? chain.members.length : 0,
    is_restorable: chain.ok,
    not_restorable_reason: chain.ok ? null : `Restore chain is broken: ${chain.reason}`,
  };
}

type Listed = () => Knex.QueryBuilder;
const NEWEST_FIRST = [{ column: 'bp.created_at', order: 'desc' }, { column: 'bp.id', order: 'desc' }];

/** What every page of a VM's listing shares: the listed point ids, newest first, and the VM's disk rows. */
export interface VmListingIndex {
  ids: number[];
  disks: DiskView[] | null;
}

export const indexSize = (index: VmListingIndex): number => index.ids.length + (index.disks?.length ?? 0);

async function loadIndex(db: Knex, listed: Listed, vmId: number): Promise<VmListingIndex> {
  const [rows, disks] = await Promise.all([
    listed().select('bp.id').orderBy(NEWEST_FIRST) as Promise<{ id: number | string }[]>,
    listVmDisks(db, [vmId]),
  ]);
  return { ids: rows.map((r) => Number(r.id)), disks: disks.get(vmId) ?? null };
}

/** One page of the points of a VM whose ownership the caller has checked (requireClientVm). */
export async function listVmPoints(db: Knex, indexes: TtlCache<VmListingIndex>, vm: VmView, q: BackupPointsQuery) {
  const listed: Listed = () => db(`${TABLES.points} as bp`)
    .join(`${TABLES.runs} as r`, 'r.id', 'bp.run_id')
    .where('bp.vm_id', vm.id)
    .whereIn('r.status', [...GOOD_RUN_STATUSES])
    .modify((b) => { if (q.type) b.where('bp.backup_type', q.type); });
  const { ids, disks } = await indexes.get(`${vm.id}:${q.type ?? ''}`, () => loadIndex(db, listed, vm.id));
  const pageIds = ids.slice(q.offset, q.offset + q.limit);
  // The rows are read with the same filter: a point whose run no longer qualifies is left out of any page built
  // later, even while the id list it came from is still kept.
  const [rows, chains] = pageIds.length === 0 ? [[], new Map<number, ChainPoint>()] : await Promise.all([
    listed().whereIn('bp.id', pageIds).select(POINT_COLUMNS).orderBy(NEWEST_FIRST) as Promise<PointRow[]>,
    loadChainPoints(db, pageIds),
  ]);
  const points = rows.map((r) => toPointView(r, chains));
  return {
    disks: disks ?? deriveDisks(points.map((p) => p.disk_manifests)),
    backup_points: points,
    total: ids.length,
    limit: q.limit,
    offset: q.offset,
  };
}

/** The client's VM, or VM_NOT_FOUND (a foreign VM answers exactly like a missing one). */
export async function requireClientVm(db: Knex, who: ClientScope, vmId: number): Promise<VmView> {
  const vm = await findClientVm(db, who, vmId);
  if (!vm) throw errors.vmNotFound();
  return vm;
}
