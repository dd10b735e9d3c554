// Disks of VMs: rows of s3_hyperv_vm_disks, or, for a VM without rows there (older installations, agents that
// never reported them), derived from the disk paths that its backup points' disk_manifests name.
import type { Knex } from 'knex';
import { TABLES } from '../db/tables.js';

export const DISKS_TABLE = TABLES.disks;

export interface DiskView {
  id: number;
  disk_path: string;
  disk_name: string;
  controller_type: string | null;
  vhd_format: string;
  size_bytes: number | null;
  used_bytes: number | null;
  derived?: true;
}

interface DiskRow {
  id: number | string;
  vm_id: number | string;
  disk_path: string;
  controller_type: string | null;
  vhd_format: string | null;
  size_bytes: number | string | null;
  used_bytes: number | string | null;
}

const num = (v: number | string | null): number | null => (v === null || v === undefined ? null : Number(v));

/** The file name of a Windows (or POSIX) path: what a restored disk is called in the target folder. */
export function diskName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

function formatOf(path: string): string {
  return /\.a?vhd$/i.test(path) ? 'VHD' : 'VHDX';
}

/** Disk rows of the given VMs, one query; VMs without rows are absent from the map. */
export async function listVmDisks(db: Knex, vmIds: readonly number[]): Promise<Map<number, DiskView[]>> {
  const byVm = new Map<number, DiskView[]>();
  if (vmIds.length === 0) return byVm;
  const rows = (await db(DISKS_TABLE)
    .select('id', 'vm_id', 'disk_path', 'controller_type', 'vhd_format', 'size_bytes', 'used_bytes')
    .whereIn('vm_id', [...vmIds])
    .orderBy([{ column: 'vm_id' }, { column: 'controller_location' }, { column: 'id' }])) as DiskRow[];
  for (const r of rows) {
    const list = byVm.get(Number(r.vm_id)) ?? [];
    list.push({
      id: Number(r.id), disk_path: r.disk_path, disk_name: diskName(r.disk_path), controller_type: r.controller_type,
      vhd_format: r.vhd_format ?? formatOf(r.disk_path), size_bytes: num(r.size_bytes), used_bytes: num(r.used_bytes),
    });
    byVm.set(Number(r.vm_id), list);
  }
  return byVm;
}

/** Disks named by the points' manifests, in first-seen order, with negative ids (they have no row). */
export function deriveDisks(manifests: readonly Record<string, string>[]): DiskView[] {
  const paths = [...new Set(manifests.flatMap((m) => Object.keys(m)))];
  return paths.map((disk_path, i) => ({
    id: -(i + 1), disk_path, disk_name: diskName(disk_path), controller_type: 'SCSI', vhd_format: formatOf(disk_path),
    size_bytes: null, used_bytes: null, derived: true,
  }));
}
