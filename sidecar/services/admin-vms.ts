// Hyper-V VMs of any client for the WHMCS admin who starts a restore for a client: found by client, VM (id or name)
// or job (id or name), with the client, job and host they belong to. Not scoped by client: requireAdmin guards the
// routes, and the wizard the admin opens reads the VM's own client's data only.
import type { Knex } from 'knex';
import { isSqlite } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import type { AdminVmsQuery } from '../schemas/admin.js';
import type { AdminAccountability } from './accountability.js';
import { listVms } from './vms.js';

/** Enough rows to pick from; a narrower filter finds the rest. */
export const ADMIN_VM_LIMIT = 100;

export interface AdminVm {
  id: number;
  name: string;
  clientId: number;
  jobId: number;
  jobName: string;
  hostname: string | null;
}

interface AdminVmRow {
  id: number | string;
  vm_name: string;
  client_id: number | string;
  job_id: number | string;
  job_name: string | null;
  hostname: string | null;
}

/** A number is an id; anything else matches the name (substring, as an admin searching would expect). */
function idOrName(db: Knex, q: Knex.QueryBuilder, value: string | undefined, idColumn: string, nameColumn: string): void {
  if (value === undefined) return;
  if (/^[0-9]+$/.test(value)) {
    q.andWhere(idColumn, Number(value));
    return;
  }
  const like = `%${value.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  q.andWhereRaw(isSqlite(db) ? `${nameColumn} LIKE ? ESCAPE '\\'` : `${nameColumn} LIKE ?`, [like]);
}

export async function findAdminVms(db: Knex, _who: AdminAccountability, filters: AdminVmsQuery): Promise<AdminVm[]> {
  const q = db({ v: TABLES.vms })
    .join({ j: TABLES.jobs }, 'j.id', 'v.job_id')
    .leftJoin({ a: TABLES.agents }, 'a.id', 'j.agent_id');
  if (filters.client_id) q.andWhere('j.client_id', filters.client_id);
  idOrName(db, q, filters.vm, 'v.id', 'v.vm_name');
  idOrName(db, q, filters.job, 'j.id', 'j.name');
  const rows = (await q.orderBy([{ column: 'j.client_id' }, { column: 'v.vm_name' }, { column: 'v.id' }]).limit(ADMIN_VM_LIMIT)
    .select('v.id', 'v.vm_name', 'j.client_id', 'v.job_id', 'j.name as job_name', 'a.hostname')) as AdminVmRow[];
  return rows.map((r) => ({
    id: Number(r.id), name: r.vm_name, clientId: Number(r.client_id), jobId: Number(r.job_id), jobName: r.job_name ?? '', hostname: r.hostname ?? null,
  }));
}

/** The client a VM belongs to (its job's), or null when there is no such VM. */
export async function vmOwner(db: Knex, _who: AdminAccountability, vmId: number): Promise<{ clientId: number; jobId: number } | null> {
  const row = (await db({ v: TABLES.vms }).join({ j: TABLES.jobs }, 'j.id', 'v.job_id').where('v.id', vmId)
    .first('j.client_id', 'v.job_id')) as { client_id: number | string; job_id: number | string } | undefined;
  return row ? { clientId: Number(row.client_id), jobId: Number(row.job_id) } : null;
}

/** One VM of any client as the wizard shows it (disks, latest point), with its client; null when there is none. */
export async function findAdminWizardVm(db: Knex, who: AdminAccountability, vmId: number) {
  const owner = await vmOwner(db, who, vmId);
  if (!owner) return null;
  const scope = { clientId: owner.clientId };
  const vm = (await listVms(db, scope, owner.jobId)).find((v) => v.id === vmId);
  return vm ? { vm, scope } : null;
}
