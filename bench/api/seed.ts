// bench/api's data: 1,000 clients with 5 VMs each (5,000 VMs), every VM with a Full + Incremental, and one VM
// holding 10,000 points in chains of up to 30 (Full + 29 Incrementals). About 2% of the runs failed (their points
// are hidden and break the rest of their chain) and 3% ended with warnings, as real histories do.
import type { Knex } from 'knex';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { bulkInsert, hex32, seedFleet } from '../lib/fleet.js';

export interface ApiSeedSpec {
  clients: number;
  vmsPerClient: number;
  bigVmPoints: number;
  chainLength: number;
}

export interface ApiSeed {
  clientId: number;
  vmId: number;
  points: number;
}

interface PointPlan {
  vmId: number;
  jobId: number;
  paths: string[];
  type: 'Full' | 'Incremental';
  parent: number | null;
  at: number;
}

const BASE = Date.parse('2025-01-01T00:00:00Z');

function runStatusOf(id: number): string {
  if (id % 50 === 7) return 'failed';
  return id % 33 === 5 ? 'warning' : 'success';
}

function rowsOf(plans: PointPlan[], firstId: number) {
  const runs: Record<string, unknown>[] = [];
  const points: Record<string, unknown>[] = [];
  plans.forEach((p, i) => {
    const id = firstId + i;
    const status = runStatusOf(id);
    const at = toDbTime(new Date(p.at));
    runs.push({ id, job_id: p.jobId, status, engine: 'hyperv', created_at: at, started_at: at, finished_at: toDbTime(new Date(p.at + 300_000)) });
    const manifests = Object.fromEntries(p.paths.map((d) => [d, hex32(`${id}-${d}`)]));
    points.push({
      id, vm_id: p.vmId, run_id: id, backup_type: p.type, manifest_id: Object.values(manifests)[0], parent_backup_id: p.parent,
      disk_manifests: JSON.stringify(manifests), total_size_bytes: 130 * 1024 ** 3, changed_size_bytes: p.type === 'Full' ? null : 2 * 1024 ** 3,
      duration_seconds: 300, consistency_level: 'Application', has_warnings: status === 'warning' ? 1 : 0,
      warnings_json: JSON.stringify(status === 'warning' ? ['Checkpoint fallback'] : []), created_at: at,
    });
  });
  return { runs, points };
}

export async function seedApi(db: Knex, spec: ApiSeedSpec): Promise<ApiSeed> {
  const fleet = await seedFleet(db, { clients: spec.clients, agentsPerClient: 1, vmsPerJob: spec.vmsPerClient });
  const plans: PointPlan[] = [];
  const big = fleet.agents[0]!;
  const bigVm = fleet.vmIdsOfJob(big.jobId)[0]!;
  // The big VM: one point an hour, a Full every `chainLength` points. Ids are assigned in plan order from 1.
  for (let i = 0; i < spec.bigVmPoints; i++) {
    const full = i % spec.chainLength === 0;
    plans.push({ vmId: bigVm, jobId: big.jobId, paths: fleet.diskPathsOfVm(bigVm), type: full ? 'Full' : 'Incremental', parent: full ? null : i, at: BASE + i * 3600_000 });
  }
  for (const agent of fleet.agents) {
    for (const vmId of fleet.vmIdsOfJob(agent.jobId)) {
      if (vmId === bigVm) continue;
      const first = plans.length + 1;
      plans.push({ vmId, jobId: agent.jobId, paths: fleet.diskPathsOfVm(vmId), type: 'Full', parent: null, at: BASE + vmId * 60_000 });
      plans.push({ vmId, jobId: agent.jobId, paths: fleet.diskPathsOfVm(vmId), type: 'Incremental', parent: first, at: BASE + vmId * 60_000 + 86400_000 });
    }
  }
  const { runs, points } = rowsOf(plans, 1);
  await bulkInsert(db, 's3_cloudbackup_runs', runs);
  await bulkInsert(db, 's3_hyperv_backup_points', points);
  return { clientId: big.clientId, vmId: bigVm, points: spec.bigVmPoints };
}
