// The agent command queue. Claiming is graphile-worker's idea done with portable SQL: read a few candidates, then
// flip one with compare-and-set UPDATEs (its run WHERE status = 'queued', the command WHERE status = 'pending') in
// one transaction. Only the poll whose UPDATEs touched the rows owns the command, so any number of concurrent polls
// hand a command out exactly once, on MariaDB and SQLite alike, without SKIP LOCKED or table locks.
import type { Knex } from 'knex';
import { affected, toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import type { Logger } from '../lib/log.js';
import { AGENT_COMMAND_TYPES, type ClaimedCommand } from '../schemas/agent.js';
import type { AgentAccountability } from './accountability.js';
import { resolveJobRepository } from './job-repository.js';
import { failRunWithoutRepository } from './repository-failure.js';
import type { RunFinishedBus } from './run-lifecycle.js';
import { transitionRun } from './run-status.js';

export { AGENT_COMMAND_TYPES };
const CANDIDATES = 5;

interface CandidateRow {
  id: number | string;
  type: string;
  run_id: number | string;
  run_uuid: string | null;
  job_id: number | string;
  payload_json: unknown;
}

/** Commands of this agent whose run is queued: queued for it, or (older rows without agent_id) of a run of it. */
function candidates(db: Knex, agentId: number): Promise<CandidateRow[]> {
  return db(`${TABLES.commands} as c`)
    .join(`${TABLES.runs} as r`, 'r.id', 'c.run_id')
    .where('c.status', 'pending')
    .whereIn('c.type', AGENT_COMMAND_TYPES)
    .where('r.status', 'queued')
    .where((w) => w.where('c.agent_id', agentId).orWhere((o) => o.whereNull('c.agent_id').andWhere('r.agent_id', agentId)))
    .orderBy('c.id')
    .limit(CANDIDATES)
    .select('c.id', 'c.type', 'c.run_id', 'r.run_uuid', 'r.job_id', 'c.payload_json');
}

function parsePayload(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value; // the agent refuses it with a clear message, which is better than hiding the command
  }
}

class ClaimLost extends Error {}

/**
 * Claims one candidate, or nothing when a cancel or another poll got there first. The run moves queued -> starting
 * and the command pending -> processing in one transaction, run first: a client's cancel (runs.ts) takes the same
 * two rows in the same order, so the two are serialised on the run row and agree: either the claim wins (the run is
 * starting, the cancel becomes a request the agent sees on its next heartbeat) or the cancel wins (the run is
 * cancelled and this hands out nothing).
 */
function claimOne(db: Knex, agentId: number, row: CandidateRow): Promise<boolean> {
  return db.transaction(async (trx) => {
    if (!(await transitionRun(trx, Number(row.run_id), 'starting', { onlyFrom: ['queued'] }))) return false;
    const won = affected(
      await trx(TABLES.commands)
        .where({ id: row.id, status: 'pending' })
        .update({ status: 'processing', processed_at: toDbTime(), agent_id: agentId }),
    );
    if (won !== 1) throw new ClaimLost(); // another poll got the command: the run goes back to queued with it
    return true;
  }).catch((thrown: unknown) => {
    if (thrown instanceof ClaimLost) return false;
    throw thrown;
  });
}

/** Where a claim reports a run it had to fail (its job has no usable repository). */
export interface ClaimContext {
  log: Logger;
  runFinished: RunFinishedBus;
}

const toClaimed = (row: CandidateRow): Omit<ClaimedCommand, 'repository'> => ({
  command_id: Number(row.id), type: row.type, run_id: Number(row.run_id), run_uuid: row.run_uuid, payload: parsePayload(row.payload_json),
});

/**
 * The job's repository for this command, or null after failing its run (no usable repository). Resolved before the
 * command changes hands, so a database error leaves the command as it was.
 */
async function repositoryFor(db: Knex, who: AgentAccountability, row: CandidateRow, ctx: ClaimContext) {
  const resolved = await resolveJobRepository(db, Number(row.job_id));
  if (resolved.ok) return resolved.repository;
  if (await failRunWithoutRepository(db, ctx.runFinished, who, Number(row.run_id))) {
    ctx.log.warn('restore failed: the job has no usable backup repository', { runId: Number(row.run_id), jobId: Number(row.job_id), reason: resolved.reason });
  }
  return null;
}

/** Hands the oldest pending command of this agent to the caller, with its job's repository, or null. The run moves queued -> starting. */
export async function claimNextCommand(db: Knex, who: AgentAccountability, ctx: ClaimContext): Promise<ClaimedCommand | null> {
  const { agentId } = who;
  for (let round = 0; round < 3; round++) {
    const rows = await candidates(db, agentId);
    if (rows.length === 0) return null;
    for (const row of rows) {
      const repository = await repositoryFor(db, who, row, ctx);
      if (!repository) continue;
      if (!(await claimOne(db, agentId, row))) continue;
      return { ...toClaimed(row), repository };
    }
  }
  return null;
}

/** This agent's commands still in hand (`processing`) whose run is going: after a crash the agent takes them up again. */
export async function resumableCommands(db: Knex, who: AgentAccountability, ctx: ClaimContext): Promise<ClaimedCommand[]> {
  const { agentId } = who;
  const rows = (await db(`${TABLES.commands} as c`)
    .join(`${TABLES.runs} as r`, 'r.id', 'c.run_id')
    .where({ 'c.status': 'processing', 'c.agent_id': agentId })
    .whereIn('c.type', AGENT_COMMAND_TYPES)
    .whereIn('r.status', ['starting', 'running'])
    .orderBy('c.id')
    .limit(CANDIDATES)
    .select('c.id', 'c.type', 'c.run_id', 'r.run_uuid', 'r.job_id', 'c.payload_json')) as CandidateRow[];
  const out: ClaimedCommand[] = [];
  for (const row of rows) {
    // The keys may have changed since the claim (rotated, job moved): the repository is read again.
    const repository = await repositoryFor(db, who, row, ctx);
    if (repository) out.push({ ...toClaimed(row), repository });
  }
  return out;
}

/**
 * Whether this agent claimed a command of this run: every run-scoped agent call checks this first. A claim starts
 * the run (claimOne), so a command retired before any claim (cancelled or failed while queued) leaves a run that
 * never started: not this agent's, whatever the command's status says.
 */
export async function agentOwnsRun(db: Knex, agentId: number, runId: number): Promise<boolean> {
  const row = await db(`${TABLES.commands} as c`)
    .join(`${TABLES.runs} as r`, 'r.id', 'c.run_id')
    .where({ 'c.run_id': runId, 'c.agent_id': agentId })
    .whereIn('c.type', AGENT_COMMAND_TYPES)
    .whereNot('c.status', 'pending')
    .whereNotNull('r.started_at')
    .first('c.id');
  return row !== undefined;
}
