// After the poll benchmark: every queued command was handed out exactly once, to its own agent, and the database
// agrees (status processing, agent_id = the agent that received it).
import type { Knex } from 'knex';
import type { Claim, QueuedCommand } from './command-queue.js';

export interface ClaimCheck {
  queued: number;
  claimed: number;
  byPoll: number;
  byRace: number;
  bySweep: number;
  claimedTwice: number;
  wrongAgent: number;
  /** claimed in the database by its own agent, but the answer was cut off when the load generator stopped */
  answerLost: number;
  neverClaimed: number;
  dbDisagrees: number;
}

export async function checkClaims(db: Knex, queued: QueuedCommand[], claims: Claim[]): Promise<ClaimCheck> {
  const times = new Map<number, number>();
  for (const c of claims) times.set(c.commandId, (times.get(c.commandId) ?? 0) + 1);
  const owner = new Map(queued.map((q) => [q.commandId, q.agentId]));
  const rows = (await db('s3_cloudbackup_run_commands').whereIn('id', [...owner.keys()]).select('id', 'status', 'agent_id')) as
    { id: number; status: string; agent_id: number | null }[];
  const claimedBy = new Map(claims.map((c) => [c.commandId, c.agentId]));
  const lost = rows.filter((r) => !claimedBy.has(Number(r.id)) && r.status === 'processing' && Number(r.agent_id) === owner.get(Number(r.id)));
  return {
    queued: queued.length,
    claimed: times.size,
    byPoll: claims.filter((c) => c.via === 'poll').length,
    byRace: claims.filter((c) => c.via === 'race').length,
    bySweep: claims.filter((c) => c.via === 'sweep').length,
    claimedTwice: [...times.values()].filter((n) => n > 1).length,
    wrongAgent: claims.filter((c) => owner.get(c.commandId) !== c.agentId).length,
    answerLost: lost.length,
    neverClaimed: queued.filter((q) => !times.has(q.commandId)).length - lost.length,
    dbDisagrees: rows.filter((r) => claimedBy.has(Number(r.id)) && (r.status !== 'processing' || Number(r.agent_id) !== claimedBy.get(Number(r.id)))).length,
  };
}
