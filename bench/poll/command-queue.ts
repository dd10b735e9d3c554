// Queues restore commands while the poll benchmark runs, the way the client API does (a queued run plus a pending
// command for the job's agent), and fires extra concurrent claims from the same agent right after each insert
// (a duplicated agent, a retry after a lost answer): claiming must still hand each command out once.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { RESTORE_COMMAND_TYPE } from '../../sidecar/schemas/agent.js';
import { RESTORE_RUN_TYPE } from '../../sidecar/services/restores.js';
import type { FleetAgent } from '../lib/fleet.js';
import { restorePayload } from './seed.js';

export interface Claim {
  commandId: number;
  /** the agent whose poll received it */
  agentId: number;
  via: 'poll' | 'race' | 'sweep';
}

export interface QueuedCommand {
  commandId: number;
  agentId: number;
}

export function agentHeaders(agent: FleetAgent): Record<string, string> {
  return { 'x-agent-id': String(agent.id), 'x-agent-token': agent.token, 'content-type': 'application/json' };
}

/** One claim over HTTP; records the command when one came back. */
export async function claimOnce(url: string, agent: FleetAgent, via: Claim['via'], claims: Claim[]): Promise<boolean> {
  const res = await fetch(`${url}/agent/commands/claim`, { method: 'POST', headers: agentHeaders(agent) });
  const body = (await res.json()) as { command?: { command_id: number } | null };
  if (res.status !== 200) throw new Error(`claim answered ${res.status}: ${JSON.stringify(body)}`);
  if (body.command) claims.push({ commandId: body.command.command_id, agentId: agent.id, via });
  return Boolean(body.command);
}

async function queueOne(db: Knex, agent: FleetAgent): Promise<number> {
  const now = toDbTime();
  const runUuid = randomUUID();
  return db.transaction(async (trx) => {
    const [runId] = await trx('s3_cloudbackup_runs').insert({
      run_uuid: runUuid, job_id: agent.jobId, agent_id: agent.id, status: 'queued', run_type: RESTORE_RUN_TYPE, engine: 'hyperv',
      trigger_type: 'manual', cancel_requested: 0, created_at: now, updated_at: now,
    });
    const [commandId] = await trx('s3_cloudbackup_run_commands').insert({
      run_id: runId, agent_id: agent.id, type: RESTORE_COMMAND_TYPE, status: 'pending', created_at: now,
      payload_json: JSON.stringify(restorePayload(Number(runId), runUuid, agent.jobId)),
    });
    return Number(commandId);
  });
}

export interface QueueOptions {
  db: Knex;
  url: string;
  agents: FleetAgent[];
  perSecond: number;
  racers: number;
  claims: Claim[];
}

/** Queues `perSecond` commands a second for random idle agents until stopped; returns what it queued. */
export function startQueueing(o: QueueOptions): { stop(): Promise<QueuedCommand[]> } {
  const queued: QueuedCommand[] = [];
  const pending: Promise<unknown>[] = [];
  const tick = () => {
    for (let i = 0; i < o.perSecond; i++) {
      const agent = o.agents[Math.floor(Math.random() * o.agents.length)]!;
      const race = i % 2 === 0; // every other command is left to the agent's regular poll
      pending.push(queueOne(o.db, agent).then(async (commandId) => {
        queued.push({ commandId, agentId: agent.id });
        if (!race) return;
        // The racers start together: whichever claim's UPDATE lands first wins, the rest must get null.
        await Promise.all(Array.from({ length: o.racers }, () => claimOnce(o.url, agent, 'race', o.claims)));
      }));
    }
  };
  const timer = setInterval(tick, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return queued;
    },
  };
}
