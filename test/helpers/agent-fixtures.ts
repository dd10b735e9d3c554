// Agents and queued restores for the agent API tests (on top of fixtures.ts): two clients, two agents of client 1
// (an agent must not see another agent's commands even within one client), one of client 2, one disabled.
import type { Db } from '../../sidecar/db/connection.js';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { RESTORE_COMMAND_TYPE } from '../../sidecar/schemas/agent.js';
import { insertAgent, insertJob } from './fixtures.js';

export interface TestAgent {
  id: number;
  clientId: number;
  token: string;
  jobId: number;
  headers: Record<string, string>;
}

export interface AgentWorld {
  a: TestAgent; // client 1
  b: TestAgent; // client 1, another host: must not see a's commands either
  c: TestAgent; // client 2
  disabled: TestAgent;
}

async function insertId(db: Db, table: string, row: Record<string, unknown>): Promise<number> {
  const [id] = await db(table).insert(row);
  return Number(id);
}

export async function seedAgent(db: Db, clientId: number, token: string, status: 'active' | 'disabled' = 'active'): Promise<TestAgent> {
  const id = await insertAgent(db, clientId, token, status);
  const jobId = await insertJob(db, clientId, id, `job of agent ${id}`);
  return { id, clientId, token, jobId, headers: { 'X-Agent-ID': String(id), 'X-Agent-Token': token } };
}

export async function seedAgentWorld(db: Db): Promise<AgentWorld> {
  return {
    a: await seedAgent(db, 1, 'token-a-' + 'a'.repeat(40)),
    b: await seedAgent(db, 1, 'token-b-' + 'b'.repeat(40)),
    c: await seedAgent(db, 2, 'token-c-' + 'c'.repeat(40)),
    disabled: await seedAgent(db, 2, 'token-d-' + 'd'.repeat(40), 'disabled'),
  };
}

export interface QueuedRestore {
  runId: number;
  commandId: number;
}

/** A restore run + its pending restore command, shaped as the client API queues them. */
export async function queueRestore(db: Db, agent: TestAgent, payload: Record<string, unknown> = {}): Promise<QueuedRestore> {
  const runId = await insertId(db, 's3_cloudbackup_runs', {
    run_uuid: crypto.randomUUID(), job_id: agent.jobId, agent_id: agent.id, status: 'queued', run_type: 'hyperv_restore',
    created_at: toDbTime(), stats_json: JSON.stringify({ type: 'hyperv_restore' }),
  });
  const body = {
    backup_point_id: 1, vm_name: 'web01', vm_guid: null, target_path: 'C:\\Restored', backup_type: 'Full',
    disk_manifests: { 'C:\\VMs\\web01\\disk0.vhdx': 'a'.repeat(32) }, restore_chain: [], restore_run_id: runId, restore_run_uuid: null,
    ...payload,
  };
  const commandId = await insertId(db, 's3_cloudbackup_run_commands', {
    run_id: runId, agent_id: agent.id, type: RESTORE_COMMAND_TYPE, status: 'pending', payload_json: JSON.stringify(body), created_at: toDbTime(),
  });
  return { runId, commandId };
}
