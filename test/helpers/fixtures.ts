// Seeds two clients, each with an agent, a Hyper-V job, VMs with disks and backup-point chains, plus a job whose
// agent is disabled. Every read or write test can then also prove that the other client gets a 404.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { defaultJobStorage, giveJobStorage } from './job-storage.js';

export type PointType = 'Full' | 'Incremental';
export type RunStatus = 'queued' | 'starting' | 'running' | 'success' | 'warning' | 'failed' | 'cancelled';

export interface ClientFixture {
  clientId: number;
  agentId: number;
  agentToken: string;
  jobId: number;
  /** VM with rows in s3_hyperv_vm_disks and a Full -> Incremental -> Incremental chain. */
  vmId: number;
  vmName: string;
  diskPaths: string[];
  fullPointId: number;
  incrementalPointIds: number[];
  /** VM without disk rows (disks derived from disk_manifests) and one Full point. */
  derivedVmId: number;
  derivedPointId: number;
  derivedDiskPaths: string[];
}

export interface Fixtures {
  a: ClientFixture;
  b: ClientFixture;
  /** Client A's second job, bound to a disabled agent, with one restorable Full point. */
  disabled: { agentId: number; jobId: number; vmId: number; pointId: number };
}

const BASE_TIME = Date.parse('2026-11-01T00:00:00Z');

/** A 32-hex kopia manifest id, stable for a given label. */
export function manifestId(label: string): string {
  return createHash('md5').update(label).digest('hex');
}

async function insertId(db: Knex, table: string, row: Record<string, unknown>): Promise<number> {
  const [id] = await db(table).insert(row);
  return Number(id);
}

export function insertAgent(db: Knex, clientId: number, token: string, status: 'active' | 'disabled' = 'active'): Promise<number> {
  return insertId(db, 's3_cloudbackup_agents', { client_id: clientId, agent_token: token, hostname: `hv-${token.slice(0, 6)}`, status });
}

/** A Hyper-V job; unless `storage: false`, with an S3 destination and keys of its own, as the module records them. */
export async function insertJob(db: Knex, clientId: number, agentId: number | null, name: string, options: { storage?: boolean } = {}): Promise<number> {
  const jobId = await insertId(db, 's3_cloudbackup_jobs', {
    client_id: clientId, agent_id: agentId, name, engine: 'hyperv', source_type: 'hyperv', hyperv_enabled: 1, status: 'active',
  });
  if (options.storage ?? true) await giveJobStorage(db, jobId, defaultJobStorage(jobId));
  return jobId;
}

export function insertVm(db: Knex, jobId: number, vmName: string): Promise<number> {
  return insertId(db, 's3_hyperv_vms', { job_id: jobId, vm_name: vmName, vm_guid: manifestId(`guid-${jobId}-${vmName}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'), generation: 2, rct_enabled: 1 });
}

export async function insertDisks(db: Knex, vmId: number, paths: string[]): Promise<void> {
  await db('s3_hyperv_vm_disks').insert(paths.map((disk_path, i) => ({
    vm_id: vmId, disk_path, controller_type: 'SCSI', controller_number: 0, controller_location: i, vhd_format: 'VHDX',
    size_bytes: (i + 1) * 64 * 1024 ** 3, used_bytes: (i + 1) * 3 * 1024 ** 3,
  })));
}

export interface PointSpec {
  vmId: number;
  jobId: number;
  type: PointType;
  parentId?: number | null;
  diskPaths: string[];
  runStatus?: RunStatus;
  /** Minutes after the fixtures' base time; orders points newest first. */
  minute: number;
  label?: string;
}

/** A backup run plus its backup point; returns the point id. */
export async function insertPoint(db: Knex, p: PointSpec): Promise<number> {
  const at = new Date(BASE_TIME + p.minute * 60_000);
  const runId = await insertId(db, 's3_cloudbackup_runs', {
    job_id: p.jobId, status: p.runStatus ?? 'success', created_at: toDbTime(at), started_at: toDbTime(at),
    finished_at: toDbTime(new Date(at.getTime() + 120_000)), run_uuid: null,
  });
  const label = p.label ?? `${p.vmId}-${p.minute}`;
  const manifests = Object.fromEntries(p.diskPaths.map((d) => [d, manifestId(`${label}-${d}`)]));
  return insertId(db, 's3_hyperv_backup_points', {
    vm_id: p.vmId, run_id: runId, backup_type: p.type, manifest_id: Object.values(manifests)[0] ?? '',
    parent_backup_id: p.parentId ?? null, disk_manifests: JSON.stringify(manifests),
    total_size_bytes: p.diskPaths.length * 2 * 1024 ** 3, changed_size_bytes: p.type === 'Full' ? null : 256 * 1024 ** 2,
    duration_seconds: 120, consistency_level: 'Application', has_warnings: p.runStatus === 'warning' ? 1 : 0,
    warnings_json: JSON.stringify(p.runStatus === 'warning' ? ['Checkpoint fallback'] : []), created_at: toDbTime(at),
  });
}

/** Full followed by `incrementals` Incrementals, each the parent of the next; returns the ids oldest first. */
export async function insertChain(db: Knex, vmId: number, jobId: number, diskPaths: string[], incrementals: number, startMinute = 0): Promise<number[]> {
  const ids = [await insertPoint(db, { vmId, jobId, type: 'Full', diskPaths, minute: startMinute })];
  for (let i = 1; i <= incrementals; i++) {
    ids.push(await insertPoint(db, { vmId, jobId, type: 'Incremental', parentId: ids[i - 1], diskPaths, minute: startMinute + i }));
  }
  return ids;
}

async function seedClient(db: Knex, clientId: number, tag: string): Promise<ClientFixture> {
  const agentToken = `agent-token-${tag}-${manifestId(tag)}`;
  const agentId = await insertAgent(db, clientId, agentToken);
  const jobId = await insertJob(db, clientId, agentId, `Hyper-V ${tag}`);
  const vmName = `web-${tag}`;
  const vmId = await insertVm(db, jobId, vmName);
  const diskPaths = [`C:\\VMs\\${vmName}\\disk0.vhdx`, `C:\\VMs\\${vmName}\\data.vhdx`];
  await insertDisks(db, vmId, diskPaths);
  const [fullPointId, ...incrementalPointIds] = await insertChain(db, vmId, jobId, diskPaths, 2, 10);
  const derivedVmId = await insertVm(db, jobId, `db-${tag}`);
  const derivedDiskPaths = [`D:\\Hyper-V\\db-${tag}\\os.vhdx`];
  const derivedPointId = await insertPoint(db, { vmId: derivedVmId, jobId, type: 'Full', diskPaths: derivedDiskPaths, minute: 30 });
  return { clientId, agentId, agentToken, jobId, vmId, vmName, diskPaths, fullPointId: fullPointId!, incrementalPointIds, derivedVmId, derivedPointId, derivedDiskPaths };
}

export async function seedFixtures(db: Knex): Promise<Fixtures> {
  const a = await seedClient(db, 1, 'a');
  const b = await seedClient(db, 2, 'b');
  const agentId = await insertAgent(db, 1, `agent-token-disabled-${manifestId('disabled')}`, 'disabled');
  const jobId = await insertJob(db, 1, agentId, 'Hyper-V on a disabled agent');
  const vmId = await insertVm(db, jobId, 'legacy-vm');
  const pointId = await insertPoint(db, { vmId, jobId, type: 'Full', diskPaths: ['C:\\VMs\\legacy\\legacy.vhdx'], minute: 40 });
  return { a, b, disabled: { agentId, jobId, vmId, pointId } };
}

const WRITABLE_TABLES = [
  's3_cloudbackup_runs', 's3_cloudbackup_run_commands', 's3_cloudbackup_run_events', 's3_hyperv_backup_points',
  's3_hyperv_vms', 's3_hyperv_vm_disks', 's3_cloudbackup_jobs', 's3_cloudbackup_agents',
];

/**
 * Every row of every table the client API could write (all but the nonce table, which each accepted request
 * writes by design). Compare two snapshots to prove that a refused request changed nothing.
 */
export async function snapshotTables(db: Knex): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of WRITABLE_TABLES) out[t] = (await db(t).select('*').orderBy('id')) as unknown[];
  return out;
}

/** Runs fn with foreign keys off, to build rows only a legacy install (no FKs) can hold, e.g. dangling parents. */
export async function withoutForeignKeys(db: Knex, fn: (conn: Knex) => Promise<void>): Promise<void> {
  if (db.client.config.client === 'better-sqlite3') {
    await db.raw('PRAGMA foreign_keys = OFF');
    try {
      await fn(db);
    } finally {
      await db.raw('PRAGMA foreign_keys = ON');
    }
    return;
  }
  await db.transaction(async (trx) => {
    await trx.raw('SET FOREIGN_KEY_CHECKS = 0');
    try {
      await fn(trx);
    } finally {
      await trx.raw('SET FOREIGN_KEY_CHECKS = 1');
    }
  });
}
