// Restore runs across all clients, for the WHMCS admin: filters (status, client, VM), newest first, one run with
// its events. Unlike the client services nothing here is scoped by client: requireAdmin guards the routes.
import type { Knex } from 'knex';
import { isoTime, isSqlite, parseJsonColumn } from '../db/dialect.js';
import type { AdminRunsQuery } from '../schemas/admin.js';
import { listRunEvents, type RunEvent } from './run-events.js';
import { RESTORE_RUN_TYPE } from './restores.js';
import { RUNS_TABLE } from './run-status.js';

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

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The restore's VM and target as startRestore stores them in stats_json (restore-payload.ts runStats). */
function statsFacts(raw: unknown): { vmId: number | null; vmName: string | null; targetPath: string | null } {
  const stats = parseJsonColumn<Record<string, unknown>>(raw, {});
  return { vmId: num(stats.vm_id), vmName: text(stats.vm_name), targetPath: text(stats.target_path) };
}

function toAdminRun(r: Row): AdminRun {
  return {
    id: Number(r.id), uuid: text(r.run_uuid), status: String(r.status), clientId: Number(r.client_id),
    jobId: Number(r.job_id), jobName: String(r.job_name ?? ''), ...statsFacts(r.stats_json),
    agentId: num(r.agent_id), agentHostname: text(r.agent_hostname), progressPct: num(r.progress_pct),
    bytesDone: num(r.bytes_transferred), bytesTotal: num(r.bytes_total), currentItem: text(r.current_item),
    errorSummary: text(r.error_summary), cancelRequested: Number(r.cancel_requested) === 1,
    createdAt: isoTime(r.created_at), startedAt: isoTime(r.started_at), finishedAt: isoTime(r.finished_at),
  };
}

type StatsPath = '$.vm_id' | '$.vm_name';

/** SQL for a stats_json member as text in both dialects (the path is one of our constants, never input).
 *  SQLite's json_extract throws on malformed JSON, so it is guarded with json_valid. */
function statsText(db: Knex, path: StatsPath): string {
  return isSqlite(db)
    ? `(CASE WHEN json_valid(r.stats_json) THEN CAST(json_extract(r.stats_json, '${path}') AS TEXT) END)`
    : `JSON_UNQUOTE(JSON_EXTRACT(r.stats_json, '${path}'))`;
}

function baseQuery(db: Knex, filters: AdminRunsQuery): Knex.QueryBuilder {
  const q = db({ r: RUNS_TABLE })
    .join({ j: 's3_cloudbackup_jobs' }, 'j.id', 'r.job_id')
    .where('r.run_type', RESTORE_RUN_TYPE);
  if (filters.status) q.andWhere('r.status', filters.status);
  if (filters.client_id) q.andWhere('j.client_id', filters.client_id);
  if (filters.vm) {
    const vm = filters.vm;
    // A number is a VM id; anything else matches the VM name (substring, as an admin searching would expect).
    if (/^[0-9]+$/.test(vm)) {
      q.andWhereRaw(`${statsText(db, '$.vm_id')} = ?`, [vm]);
    } else {
      const like = `%${vm.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      const op = isSqlite(db) ? "LIKE ? ESCAPE '\\'" : 'LIKE ?';
      q.andWhereRaw(`${statsText(db, '$.vm_name')} ${op}`, [like]);
    }
  }
  return q;
}

export async function listAdminRuns(db: Knex, filters: AdminRunsQuery): Promise<AdminRunPage> {
  const limit = filters.limit ?? ADMIN_PAGE_SIZE;
  const page = filters.page ?? 1;
  const [countRow] = (await baseQuery(db, filters).count({ n: '*' })) as { n: number | string }[];
  const rows = (await baseQuery(db, filters)
    .leftJoin({ a: 's3_cloudbackup_agents' }, 'a.id', 'r.agent_id')
    .select('r.*', 'j.client_id', 'j.name as job_name', 'a.hostname as agent_hostname')
    .orderBy([{ column: 'r.created_at', order: 'desc' }, { column: 'r.id', order: 'desc' }])
    .limit(limit)
    .offset((page - 1) * limit)) as Row[];
  return { runs: rows.map(toAdminRun), total: Number(countRow?.n ?? 0), page, limit };
}

/** One restore run of any client by numeric id or uuid, or null. */
export async function findAdminRun(db: Knex, ref: string): Promise<AdminRun | null> {
  const q = baseQuery(db, {})
    .leftJoin({ a: 's3_cloudbackup_agents' }, 'a.id', 'r.agent_id')
    .select('r.*', 'j.client_id', 'j.name as job_name', 'a.hostname as agent_hostname');
  if (/^[0-9]{1,18}$/.test(ref)) q.andWhere('r.id', Number(ref));
  else if (/^[0-9a-fA-F-]{36}$/.test(ref)) q.andWhere('r.run_uuid', ref.toLowerCase());
  else return null;
  const row = (await q.first()) as Row | undefined;
  return row ? toAdminRun(row) : null;
}

export async function adminRunWithEvents(db: Knex, ref: string): Promise<{ run: AdminRun; events: RunEvent[] } | null> {
  const run = await findAdminRun(db, ref);
  return run ? { run, events: await listRunEvents(db, run.id) } : null;
}
