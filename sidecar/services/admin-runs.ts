// Restore runs across all clients, for the WHMCS admin: filters (status, client, VM), newest first, one run with
// its events. Unlike the client services nothing here is scoped by client: requireAdmin guards the routes.
import type { Knex } from 'knex';
import { isSqlite } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { RESTORE_TARGET_COLUMNS, toRestoreTarget } from '../rows/restore-targets.js';
import { RUN_COLUMNS, toRun, type Run, type RunRow } from '../rows/runs.js';
import type { AdminRunsQuery } from '../schemas/admin.js';
import type { AdminAccountability } from './accountability.js';
import { listRunEvents, type RunEvent } from './run-events.js';
import { RESTORE_RUN_TYPE } from './restores.js';

export const ADMIN_PAGE_SIZE = 50;

export interface AdminRun {
  id: number;
  uuid: string | null;
  status: string;
  clientId: number;
  jobId: number;
  jobName: string;
  vmId: number | null;
  vmName: string | null;
  targetPath: string | null;
  agentId: number | null;
  agentHostname: string | null;
  progressPct: number | null;
  bytesDone: number | null;
  bytesTotal: number | null;
  currentItem: string | null;
  errorSummary: string | null;
  cancelRequested: boolean;
  /** The admin who started it (from the admin area, or working as the client); null when the client did. */
  startedByAdminId: number | null;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface AdminRunPage {
  runs: AdminRun[];
  total: number;
  page: number;
  limit: number;
}

interface AdminRunRow extends RunRow {
  client_id: number | string;
  job_name: string | null;
  agent_hostname: string | null;
  vm_id: unknown;
  vm_name: unknown;
  target_path: unknown;
}

const ADMIN_RUN_COLUMNS = [...RUN_COLUMNS, ...RESTORE_TARGET_COLUMNS, 'j.client_id', 'j.name as job_name', 'a.hostname as agent_hostname'];

function requestingAdmin(stats: Record<string, unknown>): number | null {
  const by = stats.requested_by;
  const id = by && typeof by === 'object' ? Number((by as Record<string, unknown>).admin_id) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** The admin's view of the run read model (rows/runs.ts), with whose it is and where it restores to. */
function toAdminRun(r: AdminRunRow): AdminRun {
  const run = toRun(r);
  return {
    id: run.id, uuid: run.uuid, status: run.status, clientId: Number(r.client_id), jobId: run.jobId, jobName: r.job_name ?? '',
    ...toRestoreTarget(r), agentId: run.agentId, agentHostname: r.agent_hostname ?? null, progressPct: run.progress.percent,
    bytesDone: run.progress.bytes_done, bytesTotal: run.progress.bytes_total, currentItem: run.progress.current_item,
    errorSummary: run.errorSummary, cancelRequested: run.cancelRequested, startedByAdminId: requestingAdmin(run.stats),
    createdAt: run.createdAt, startedAt: run.startedAt, finishedAt: run.finishedAt,
  };
}

function baseQuery(db: Knex, filters: AdminRunsQuery): Knex.QueryBuilder {
  const q = db({ r: TABLES.runs })
    .join({ j: TABLES.jobs }, 'j.id', 'r.job_id')
    .leftJoin({ t: TABLES.restoreTargets }, 't.run_id', 'r.id')
    .where('r.run_type', RESTORE_RUN_TYPE);
  if (filters.status) q.andWhere('r.status', filters.status);
  if (filters.client_id) q.andWhere('j.client_id', filters.client_id);
  if (filters.vm) {
    const vm = filters.vm;
    // A number is a VM id; anything else matches the VM name (substring, as an admin searching would expect).
    if (/^[0-9]+$/.test(vm)) {
      q.andWhere('t.vm_id', vm);
    } else {
      const like = `%${vm.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      q.andWhereRaw(isSqlite(db) ? "t.vm_name LIKE ? ESCAPE '\\'" : 't.vm_name LIKE ?', [like]);
    }
  }
  return q;
}

const withDetails = (q: Knex.QueryBuilder) => q.leftJoin({ a: TABLES.agents }, 'a.id', 'r.agent_id').select(ADMIN_RUN_COLUMNS);

export async function listAdminRuns(db: Knex, _who: AdminAccountability, filters: AdminRunsQuery): Promise<AdminRunPage> {
  const limit = filters.limit ?? ADMIN_PAGE_SIZE;
  const page = filters.page ?? 1;
  const [countRow] = (await baseQuery(db, filters).count({ n: '*' })) as { n: number | string }[];
  const rows = (await withDetails(baseQuery(db, filters))
    .orderBy([{ column: 'r.created_at', order: 'desc' }, { column: 'r.id', order: 'desc' }])
    .limit(limit)
    .offset((page - 1) * limit)) as AdminRunRow[];
  return { runs: rows.map(toAdminRun), total: Number(countRow?.n ?? 0), page, limit };
}

function byRef(q: Knex.QueryBuilder, ref: string): Knex.QueryBuilder | null {
  if (/^[0-9]{1,18}$/.test(ref)) return q.andWhere('r.id', Number(ref));
  if (/^[0-9a-fA-F-]{36}$/.test(ref)) return q.andWhere('r.run_uuid', ref.toLowerCase());
  return null;
}

/** One restore run of any client by numeric id or uuid, or null. */
export async function findAdminRun(db: Knex, _who: AdminAccountability, ref: string): Promise<AdminRun | null> {
  const q = byRef(withDetails(baseQuery(db, {})), ref);
  const row = q ? ((await q.first()) as AdminRunRow | undefined) : undefined;
  return row ? toAdminRun(row) : null;
}

/** The run read model of any client's restore (what a cancel answers with). */
export async function findAnyRun(db: Knex, _who: AdminAccountability, runId: number): Promise<Run | null> {
  const row = (await baseQuery(db, {}).andWhere('r.id', runId).first(RUN_COLUMNS)) as RunRow | undefined;
  return row ? toRun(row) : null;
}

export async function adminRunWithEvents(db: Knex, who: AdminAccountability, ref: string): Promise<{ run: AdminRun; events: RunEvent[] } | null> {
  const run = await findAdminRun(db, who, ref);
  return run ? { run, events: await listRunEvents(db, run.id) } : null;
}
