// The agent command queue. Claiming is graphile-worker's idea done with portable SQL: read a few candidates, then
// flip one with compare-and-set UPDATEs (its run WHERE status = 'queued', the command WHERE status = 'pending') in
// one transaction. Only the poll whose UPDATEs touched the rows owns the command, so any number of concurrent polls
// hand a command out exactly once, on MariaDB and SQLite alike, without SKIP LOCKED or table locks.
import type { Knex } from 'knex';
import { affected, toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import type { ClaimedCommand } from '../schemas/agent.js';
import type { AgentAccountability } from './accountability.js';
import { transitionRun } from './run-status.js';

/** The command types this agent runs; the reference's other types belong to its own agent. */
export const AGENT_COMMAND_TYPES = ['hyperv_restore'] as const;
const CANDIDATES = 5;

interface CandidateRow {
  id: number | string;
  type: string;
  run_id: number | string;
  run_uuid: string | null;
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
    .select('c.id', 'c.type', 'c.run_id', 'r.run_uuid', 'c.payload_json');
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

/** Hands the oldest pending command of this agent to the caller, or null. The run moves queued -> starting. */
export async function claimNextCommand(db: Knex, who: AgentAccountability): Promise<ClaimedCommand | null> {
  const { agentId } = who;
  for (let round = 0; round < 3; round++) {
    const rows = await candidates(db, agentId);
    if (rows.length === 0) return null;
    for (const row of rows) {
      if (!(await claimOne(db, agentId, row))) continue;
      return { command_id: Number(row.id), type: row.type, run_id: Number(row.run_id), run_uuid: row.run_uuid, payload: parsePayload(row.payload_json) };
    }
  }
  return null;
}

/** This agent's commands still in hand (`processing`) whose run is going: after a crash the agent takes them up again. */
export async function resumableCommands(db: Knex, who: AgentAccountability): Promise<ClaimedCommand[]> {
  const { agentId } = who;
  const rows = (await db(`${TABLES.commands} as c`)
    .join(`${TABLES.runs} as r`, 'r.id', 'c.run_id')
    .where({ 'c.status': 'processing', 'c.agent_id': agentId })
    .whereIn('c.type', AGENT_COMMAND_TYPES)
    .whereIn('r.status', ['starting', 'running'])
    .orderBy('c.id')
    .limit(CANDIDATES)
    .select('c.id', 'c.type', 'c.run_id', 'r.run_uuid', 'c.payload_json')) as CandidateRow[];
  return rows.map((row) => ({ command_id: Number(row.id), type: row.type, run_id: Number(row.run_id), run_uuid: row.run_uuid, payload: parsePayload(row.payload_json) }));
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
