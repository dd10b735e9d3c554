// bench/poll's data: 1,000 clients with two agents each (2,000 agents, each with a Hyper-V job and one VM) and
// `restores` restores already running, each claimed by its own agent (so that agent may report on it), plus
// `history` finished runs with their commands.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { RESTORE_COMMAND_TYPE } from '../../sidecar/schemas/agent.js';
import { RESTORE_RUN_TYPE } from '../../sidecar/services/restores.js';
import { bulkInsert, hex32, seedFleet, type FleetAgent } from '../lib/fleet.js';

export interface RunningRestore {
  runId: number;
  agent: FleetAgent;
  diskPath: string;
}

export interface PollSeed {
  agents: FleetAgent[];
  restores: RunningRestore[];
}

export function restorePayload(runId: number, runUuid: string, vmId: number): Record<string, unknown> {
  const disk = `C:\\VMs\\vm-${vmId}\\os.vhdx`;
  return {
    backup_point_id: vmId, vm_name: `vm-${vmId}`, target_path: 'D:\\Restored', disk_manifests: { [disk]: hex32(`m-${runId}`) },
    backup_type: 'Full', restore_run_id: runId, restore_run_uuid: runUuid,
  };
}

/** Finished commands of earlier restores and backups: the queue table of a live install is mostly history. */
async function seedHistory(db: Knex, agents: FleetAgent[], count: number, firstRunId: number): Promise<void> {
  const at = toDbTime(new Date(Date.now() - 86400_000));
  const runs = Array.from({ length: count }, (_, i) => ({ id: firstRunId + i, agent: agents[i % agents.length]!, restore: i % 4 === 0 }));
  await bulkInsert(db, 's3_cloudbackup_runs', runs.map((r) => ({
    id: r.id, job_id: r.agent.jobId, agent_id: r.agent.id, status: r.id % 10 === 0 ? 'failed' : 'success', run_type: r.restore ? RESTORE_RUN_TYPE : null,
    engine: 'hyperv', created_at: at, started_at: at, finished_at: at, updated_at: at,
  })));
  await bulkInsert(db, 's3_cloudbackup_run_commands', runs.map((r) => ({
    run_id: r.id, agent_id: r.restore ? r.agent.id : null, type: r.restore ? RESTORE_COMMAND_TYPE : 'backup_now', status: r.id % 10 === 0 ? 'failed' : 'completed',
    created_at: at, processed_at: at, payload_json: '{}',
  })));
}

export async function seedPoll(db: Knex, spec: { clients: number; agentsPerClient: number; restores: number; history: number }): Promise<PollSeed> {
  const fleet = await seedFleet(db, { clients: spec.clients, agentsPerClient: spec.agentsPerClient, vmsPerJob: 1 });
  const now = toDbTime();
  // Restores run on the last agents of the list; commands are queued for any agent during the run.
  const restoring = fleet.agents.slice(-spec.restores);
  const restores = restoring.map((agent, i) => ({ runId: i + 1, agent, diskPath: fleet.diskPathsOfVm(fleet.vmIdsOfJob(agent.jobId)[0]!)[0]! }));
  await bulkInsert(db, 's3_cloudbackup_runs', restores.map((r) => ({
    id: r.runId, run_uuid: randomUUID(), job_id: r.agent.jobId, agent_id: r.agent.id, status: 'running', run_type: RESTORE_RUN_TYPE, engine: 'hyperv',
    trigger_type: 'manual', cancel_requested: 0, created_at: now, started_at: now, updated_at: now,
  })));
  await bulkInsert(db, 's3_cloudbackup_run_commands', restores.map((r) => ({
    run_id: r.runId, agent_id: r.agent.id, type: RESTORE_COMMAND_TYPE, status: 'processing', created_at: now, processed_at: now,
    payload_json: JSON.stringify(restorePayload(r.runId, 'seeded', fleet.vmIdsOfJob(r.agent.jobId)[0]!)),
  })));
  await seedHistory(db, fleet.agents, spec.history, spec.restores + 1);
  return { agents: fleet.agents, restores };
}
