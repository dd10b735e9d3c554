// What the pages read, always scoped to the signed-in client: a VM or run of another client is simply not found.
// (The JSON API's services answer the same questions for the browser's later calls.)
import type { Knex } from 'knex';
import { parseJsonColumn } from '../db/dialect.js';

export interface PageVm {
  id: number;
  name: string;
  guid: string | null;
  generation: number;
  jobId: number;
  jobName: string;
  backupEnabled: boolean;
  disks: { path: string; sizeBytes: number | null; format: string | null }[];
  latest: { id: number; createdAt: string; type: string } | null;
}

export interface PageRun {
  id: number;
  uuid: string | null;
  status: string;
  stats: Record<string, unknown>;
}

type Row = Record<string, unknown>;

function vmsQuery(db: Knex, clientId: number) {
  return db('s3_hyperv_vms as v')
    .join('s3_cloudbackup_jobs as j', 'j.id', 'v.job_id')
    .where('j.client_id', clientId)
    .whereNot('j.status', 'deleted')
    .select('v.id', 'v.vm_name', 'v.vm_guid', 'v.generation', 'v.backup_enabled', 'v.job_id', 'j.name as job_name');
}

/** The client's VMs (optionally of one job) with disks and the newest point; three queries whatever the count. */
export async function listClientVms(db: Knex, clientId: number, jobId?: number): Promise<PageVm[]> {
  const q = vmsQuery(db, clientId).orderBy([{ column: 'j.name' }, { column: 'v.vm_name' }]);
  if (jobId !== undefined) q.where('v.job_id', jobId);
  const rows = (await q) as Row[];
  const ids = rows.map((r) => Number(r.id));
  if (!ids.length) return [];
  const disks = (await db('s3_hyperv_vm_disks').whereIn('vm_id', ids).orderBy('id')
    .select('vm_id', 'disk_path', 'size_bytes', 'vhd_format')) as Row[];
  const latest = (await db('s3_hyperv_backup_points as p')
    .join('s3_cloudbackup_runs as r', 'r.id', 'p.run_id')
    .whereIn('p.vm_id', ids).whereIn('r.status', ['success', 'warning'])
    .select('p.id', 'p.vm_id', 'p.created_at', 'p.backup_type', 'p.disk_manifests')
    .orderBy([{ column: 'p.created_at', order: 'desc' }, { column: 'p.id', order: 'desc' }])) as Row[];
  return rows.map((r) => toPageVm(r, disks, latest));
}

function toPageVm(r: Row, disks: Row[], points: Row[]): PageVm {
  const id = Number(r.id);
  const own = disks.filter((d) => Number(d.vm_id) === id)
    .map((d) => ({ path: String(d.disk_path), sizeBytes: d.size_bytes === null ? null : Number(d.size_bytes), format: (d.vhd_format as string) ?? null }));
  const newest = points.find((p) => Number(p.vm_id) === id);
  // Without disk rows the disks are the ones the newest point holds (as the API derives them).
  const derived = own.length || !newest ? own
    : Object.keys(parseJsonColumn<Record<string, string>>(newest.disk_manifests, {})).map((path) => ({ path, sizeBytes: null, format: null }));
  return {
    id, name: String(r.vm_name), guid: (r.vm_guid as string) ?? null, generation: Number(r.generation ?? 2),
    jobId: Number(r.job_id), jobName: String(r.job_name), backupEnabled: Boolean(Number(r.backup_enabled ?? 1)),
    disks: derived,
    latest: newest ? { id: Number(newest.id), createdAt: String(newest.created_at), type: String(newest.backup_type) } : null,
  };
}

export async function findClientVm(db: Knex, clientId: number, vmId: number): Promise<PageVm | null> {
  const row = (await vmsQuery(db, clientId).where('v.id', vmId).first()) as Row | undefined;
  if (!row) return null;
  const [vm] = await listClientVms(db, clientId, Number(row.job_id)).then((all) => all.filter((v) => v.id === vmId));
  return vm ?? null;
}

/** A restore run of the client by numeric id or uuid. */
export async function findClientRun(db: Knex, clientId: number, key: string): Promise<PageRun | null> {
  const q = db('s3_cloudbackup_runs as r').join('s3_cloudbackup_jobs as j', 'j.id', 'r.job_id')
    .where('j.client_id', clientId).where('r.run_type', 'hyperv_restore')
    .select('r.id', 'r.run_uuid', 'r.status', 'r.stats_json');
  if (/^[1-9][0-9]{0,17}$/.test(key)) q.where('r.id', Number(key));
  else q.where('r.run_uuid', key);
  const row = (await q.first()) as Row | undefined;
  if (!row) return null;
  return { id: Number(row.id), uuid: (row.run_uuid as string) ?? null, status: String(row.status), stats: parseJsonColumn<Record<string, unknown>>(row.stats_json, {}) };
}
