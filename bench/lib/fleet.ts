// A fleet of WHMCS clients, each with agents, one Hyper-V job per agent and VMs with two disks, inserted in bulk
// with explicit ids (so later rows can point at them without reading anything back).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { encryptModuleValue, ENCRYPTION_KEY_SETTING, ensureModuleStorage, setModuleSetting } from '../../sidecar/demo/module-storage.js';

export interface FleetSpec {
  clients: number;
  agentsPerClient: number;
  vmsPerJob: number;
}

export interface FleetAgent {
  id: number;
  clientId: number;
  jobId: number;
  token: string;
}

export interface Fleet {
  agents: FleetAgent[];
  /** VM ids of each job (job id = agent id). */
  vmIdsOfJob(jobId: number): number[];
  diskPathsOfVm(vmId: number): string[];
}

const CHUNK = 1000;

export function hex32(label: string): string {
  return createHash('md5').update(label).digest('hex');
}

export async function bulkInsert(db: Knex, table: string, rows: Record<string, unknown>[]): Promise<void> {
  for (let at = 0; at < rows.length; at += CHUNK) await db(table).insert(rows.slice(at, at + CHUNK));
}

export function diskPaths(vmId: number): string[] {
  return [`C:\\VMs\\vm-${vmId}\\os.vhdx`, `C:\\VMs\\vm-${vmId}\\data.vhdx`];
}

export async function seedFleet(db: Knex, spec: FleetSpec): Promise<Fleet> {
  const agents: FleetAgent[] = [];
  for (let c = 1; c <= spec.clients; c++) {
    for (let a = 0; a < spec.agentsPerClient; a++) {
      const id = agents.length + 1;
      agents.push({ id, clientId: c, jobId: id, token: `bench-agent-${id}-${hex32(`token-${id}`)}` });
    }
  }
  const seen = toDbTime(new Date(Date.now() - 3600_000));
  await bulkInsert(db, 's3_cloudbackup_agents', agents.map((a) => ({
    id: a.id, client_id: a.clientId, agent_token: a.token, hostname: `hv-${a.id}`, status: 'active', last_seen_at: seen,
  })));
  // Each job's storage as the cloudstorage module records it, so a claim resolves a repository as on a real WHMCS.
  await ensureModuleStorage(db);
  const encryptionKey = 'bench-module-encryption-key';
  await setModuleSetting(db, ENCRYPTION_KEY_SETTING, encryptionKey);
  await setModuleSetting(db, 'cloudbackup_agent_s3_endpoint', 'https://s3.bench.invalid');
  await bulkInsert(db, 's3_buckets', agents.map((a) => ({ id: a.jobId, user_id: a.jobId, name: `bench-bucket-${a.jobId}`, is_active: 1 })));
  await bulkInsert(db, 's3_user_access_keys', agents.map((a) => ({
    user_id: a.jobId, access_key: encryptModuleValue(`BENCHAK${a.jobId}`, encryptionKey), secret_key: encryptModuleValue(`bench-secret-${hex32(`sk-${a.jobId}`)}`, encryptionKey),
  })));
  await bulkInsert(db, 's3_cloudbackup_jobs', agents.map((a) => ({
    id: a.jobId, client_id: a.clientId, agent_id: a.id, name: `Hyper-V ${a.id}`, engine: 'hyperv', source_type: 'hyperv', hyperv_enabled: 1, status: 'active',
    s3_user_id: a.jobId, dest_bucket_id: a.jobId, dest_prefix: `hyperv/${a.jobId}/`,
  })));
  const vmIdsOfJob = (jobId: number) => Array.from({ length: spec.vmsPerJob }, (_, k) => (jobId - 1) * spec.vmsPerJob + k + 1);
  const vms = agents.flatMap((a) => vmIdsOfJob(a.jobId).map((id) => ({
    id, job_id: a.jobId, vm_name: `vm-${id}`, vm_guid: hex32(`guid-${id}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'), generation: 2, rct_enabled: 1,
  })));
  await bulkInsert(db, 's3_hyperv_vms', vms);
  await bulkInsert(db, 's3_hyperv_vm_disks', vms.flatMap((vm) => diskPaths(vm.id).map((disk_path, i) => ({
    vm_id: vm.id, disk_path, controller_type: 'SCSI', controller_number: 0, controller_location: i, vhd_format: 'VHDX',
    size_bytes: (i + 1) * 64 * 1024 ** 3, used_bytes: (i + 1) * 3 * 1024 ** 3,
  }))));
  return { agents, vmIdsOfJob, diskPathsOfVm: diskPaths };
}
