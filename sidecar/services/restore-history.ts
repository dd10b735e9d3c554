// The client's recent restores, for the pages: each VM's last few (with the one running now), and what earlier
// restores left in which folder of a host, so the wizard can warn before a folder that already holds the disks.
// Runs carry their VM only in stats_json, so a bounded window of the newest runs is read and grouped here.
import type { Knex } from 'knex';
import { isoTime, parseJsonColumn } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { parseDiskProgress } from './run-progress.js';
import type { ClientScope } from './accountability.js';
import { listRestoreHosts, type RestoreHost } from './restore-hosts.js';
import { ACTIVE_STATUSES, type RunStatus } from './run-status.js';
import { RESTORE_RUN_TYPE } from './restores.js';

const isActive = (status: RunStatus): boolean => (ACTIVE_STATUSES as readonly RunStatus[]).includes(status);

/** How many of the client's newest restores are looked at: plenty for a page, bounded for the database. */
const WINDOW = 300;

export interface RestoreSummary {
  id: number;
  status: RunStatus;
  vmId: number | null;
  targetPath: string;
  backupType: string | null;
  pointId: number | null;
  pointCreatedAt: string | null;
  createdAt: string | null;
  finishedAt: string | null;
  /** File names of the disks this restore finished writing. */
  restoredFiles: string[];
  agentId: number | null;
}

interface HistoryRow {
  id: number | string;
  status: RunStatus;
  agent_id: number | string | null;
  created_at: unknown;
  finished_at: unknown;
  stats_json: unknown;
  progress_json: unknown;
}

interface Stats {
  vm_id?: unknown;
  target_path?: unknown;
  backup_type?: unknown;
  backup_point_id?: unknown;
}

const idOrNull = (v: unknown): number | null => (Number.isSafeInteger(Number(v)) && Number(v) > 0 ? Number(v) : null);

function toSummary(row: HistoryRow): RestoreSummary {
  const stats = parseJsonColumn<Stats>(row.stats_json, {});
  return {
    id: Number(row.id), status: row.status, vmId: idOrNull(stats.vm_id), agentId: idOrNull(row.agent_id),
    targetPath: typeof stats.target_path === 'string' ? stats.target_path : '',
    backupType: typeof stats.backup_type === 'string' ? stats.backup_type : null,
    pointId: idOrNull(stats.backup_point_id), pointCreatedAt: null,
    createdAt: isoTime(row.created_at), finishedAt: isoTime(row.finished_at),
    restoredFiles: parseDiskProgress(row.progress_json).filter((d) => d.status === 'done').map((d) => d.name),
  };
}

/** The client's newest restores (optionally of some jobs only), newest first, each with its point's date. */
export async function recentRestores(db: Knex, who: ClientScope, jobIds?: number[]): Promise<RestoreSummary[]> {
  const rows = (await db(`${TABLES.runs} as r`)
    .join(`${TABLES.jobs} as j`, 'j.id', 'r.job_id')
    .where('j.client_id', who.clientId)
    .andWhere('r.run_type', RESTORE_RUN_TYPE)
    .modify((q) => { if (jobIds) q.whereIn('r.job_id', jobIds); })
    .orderBy('r.id', 'desc')
    .limit(WINDOW)
    .select('r.id', 'r.status', 'r.agent_id', 'r.created_at', 'r.finished_at', 'r.stats_json', 'r.progress_json')) as HistoryRow[];
  const summaries = rows.map(toSummary);
  const pointIds = [...new Set(summaries.flatMap((s) => (s.pointId ? [s.pointId] : [])))];
  if (pointIds.length) {
    const points = (await db(TABLES.points).whereIn('id', pointIds).select('id', 'created_at')) as { id: number | string; created_at: unknown }[];
    const when = new Map(points.map((p) => [Number(p.id), isoTime(p.created_at)]));
    for (const s of summaries) s.pointCreatedAt = s.pointId ? when.get(s.pointId) ?? null : null;
  }
  return summaries;
}

export interface VmHistory {
  running: RestoreSummary | null;
  recent: RestoreSummary[];
}

/** Per VM: the restore queued or running now (the newest one), and its last `count` restores. */
export function historyByVm(summaries: RestoreSummary[], count = 3): Map<number, VmHistory> {
  const out = new Map<number, VmHistory>();
  for (const s of summaries) {
    if (s.vmId === null) continue;
    const history = out.get(s.vmId) ?? { running: null, recent: [] };
    out.set(s.vmId, history);
    if (!history.running && isActive(s.status)) history.running = s;
    if (history.recent.length < count) history.recent.push(s);
  }
  return out;
}

/** What finished restores to these hosts (agents) put into which folders: the files may still be there. */
export function filesLeftOnHosts(summaries: RestoreSummary[], agentIds: ReadonlySet<number>): RestoreSummary[] {
  return summaries.filter((s) => s.agentId !== null && agentIds.has(s.agentId) && (s.status === 'success' || s.status === 'warning') && s.restoredFiles.length > 0);
}

export interface WizardHistory {
  /** Restores of this VM queued or running now, each on its host. */
  active: RestoreSummary[];
  /** Finished restores to one of the offered hosts that left disk files behind. */
  leftOnHost: RestoreSummary[];
  /** The hosts the wizard offers, the job's agent first. */
  hosts: RestoreHost[];
}

/** For the wizard of one VM: the hosts it can restore to, its restores running now, and what finished restores left
 *  on those hosts (each entry keeps its host, so the wizard warns only about the host chosen). */
export async function wizardHistory(db: Knex, who: ClientScope, vm: { id: number; job_id: number }): Promise<WizardHistory> {
  const [summaries, job] = await Promise.all([
    recentRestores(db, who),
    db(TABLES.jobs).where({ id: vm.job_id, client_id: who.clientId }).first('agent_id') as Promise<{ agent_id: number | string | null } | undefined>,
  ]);
  const hosts = await listRestoreHosts(db, who, idOrNull(job?.agent_id));
  return {
    active: summaries.filter((s) => s.vmId === vm.id && isActive(s.status)),
    leftOnHost: filesLeftOnHosts(summaries, new Set(hosts.map((h) => h.agentId))),
    hosts,
  };
}
