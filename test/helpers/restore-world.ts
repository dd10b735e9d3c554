// A whole restore setup for end-to-end tests: a real kopia repository holding a sample VM, the matching rows in a
// test database (agent, job, VM, disks, a Full -> Incremental -> Incremental chain pointing at the real snapshot
// manifests), the sidecar listening on an ephemeral port, and the agent's config file.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { insertAgent, insertDisks, insertJob, insertVm } from './fixtures.js';
import { createTestAppOn, type TestApp } from './http.js';
import { createTestDatabase, type Dialect } from './database.js';
import { kopiaPath, type RepositorySpec, type TestRepository } from './kopia.js';
import { writeAgentConfig } from './agent-process.js';
import { giveJobStorage, storageOfRepository } from './job-storage.js';

export interface RestoreWorld {
  test: TestApp;
  server: Server;
  baseUrl: string;
  clientId: number;
  agentId: number;
  agentToken: string;
  jobId: number;
  vmId: number;
  /** Backup point id of each sample point, oldest first. */
  pointIds: number[];
  /** Folder that stands for C:\ on this host. */
  driveC: string;
  configFile: string;
  close(): Promise<void>;
}

/** What a world needs of a backed-up VM: the sample VMs of kopia.ts and of sidecar/demo/vhdx-vm.ts both fit. */
export interface BackedUpVm {
  disks: ReadonlyArray<{ name: string }>;
  points: ReadonlyArray<{ manifests: Record<string, string> }>;
  hostPath(name: string): string;
}

export async function insertRealPoint(db: Knex, vmId: number, jobId: number, type: 'Full' | 'Incremental', parentId: number | null, manifests: Record<string, string>, minute: number): Promise<number> {
  const at = toDbTime(new Date(Date.UTC(2026, 10, 1, 0, minute)));
  const [runId] = await db('s3_cloudbackup_runs').insert({ job_id: jobId, status: 'success', created_at: at, started_at: at, finished_at: at });
  const [pointId] = await db('s3_hyperv_backup_points').insert({
    vm_id: vmId, run_id: runId, backup_type: type, manifest_id: Object.values(manifests)[0], parent_backup_id: parentId,
    disk_manifests: JSON.stringify(manifests), consistency_level: 'Application', created_at: at,
  });
  return Number(pointId);
}

export async function createRestoreWorld(repo: TestRepository, vm: BackedUpVm, dialect: Dialect, dir: string, options: { parallelism?: number; spec?: RepositorySpec; agentConfig?: Record<string, unknown> } = {}): Promise<RestoreWorld> {
  const database = await createTestDatabase(dialect);
  const test = createTestAppOn(database);
  const db = test.db;
  const clientId = 11;
  const token = 'e2e-agent-token-' + 'k'.repeat(32);
  const agentId = await insertAgent(db, clientId, token);
  const spec = options.spec ?? repo.spec;
  const jobId = await insertJob(db, clientId, agentId, 'Hyper-V e2e', { storage: false });
  await giveJobStorage(db, jobId, storageOfRepository(spec));
  const vmId = await insertVm(db, jobId, 'web01');
  await insertDisks(db, vmId, vm.disks.map((d) => vm.hostPath(d.name)));
  const pointIds: number[] = [];
  for (const [p, point] of vm.points.entries()) {
    const manifests = Object.fromEntries(vm.disks.map((d) => [vm.hostPath(d.name), point.manifests[d.name]!]));
    pointIds.push(await insertRealPoint(db, vmId, jobId, p === 0 ? 'Full' : 'Incremental', p === 0 ? null : pointIds[p - 1]!, manifests, p));
  }
  const server: Server = await new Promise((resolve) => { const s = test.app.listen(0, '127.0.0.1', () => resolve(s)); });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const driveC = join(dir, 'drive-c');
  await mkdir(driveC, { recursive: true });
  // No repository in the config: the sidecar hands each command its job's (resolved from the rows above).
  const configFile = writeAgentConfig(dir, {
    sidecar_url: baseUrl, agent_id: agentId, agent_token: token, kopia_path: kopiaPath(), work_dir: join(dir, 'agent-work'),
    parallelism: options.parallelism ?? 8, poll_interval_seconds: 0.2, path_map: { 'C:\\': driveC }, log_level: 'debug', ...options.agentConfig,
  });
  return {
    test, server, baseUrl, clientId, agentId, agentToken: token, jobId, vmId, pointIds, driveC, configFile,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await test.drop();
    },
  };
}

/** Another Hyper-V host of the world's client: its own agent row, drive and work folder, and its identity only in a
 *  backup agent's agent.conf (as its installer leaves it), so the agent proves it is that host by itself. */
export interface WorldHost {
  agentId: number;
  agentToken: string;
  hostname: string;
  driveC: string;
  configFile: string;
}

export async function addWorldHost(world: RestoreWorld, dir: string, hostname: string): Promise<WorldHost> {
  const db = world.test.db;
  const agentToken = `e2e-${hostname.toLowerCase()}-token-` + 'q'.repeat(32);
  const agentId = await insertAgent(db, world.clientId, agentToken);
  await db('s3_cloudbackup_agents').where('id', agentId).update({ hostname });
  const hostDir = join(dir, hostname);
  const driveC = join(hostDir, 'drive-c');
  await mkdir(driveC, { recursive: true });
  const agentConf = join(hostDir, 'agent.conf');
  writeFileSync(agentConf, `api_base_url: "https://whmcs.example/modules/addons/cloudstorage/api"\nclient_id: "${world.clientId}"\nagent_id: "${agentId}"\nagent_token: ${agentToken}\n`);
  const configFile = writeAgentConfig(hostDir, {
    sidecar_url: world.baseUrl, agent_conf: agentConf, kopia_path: kopiaPath(), work_dir: join(hostDir, 'agent-work'),
    parallelism: 4, poll_interval_seconds: 0.2, path_map: { 'C:\\': driveC }, log_level: 'debug',
  });
  return { agentId, agentToken, hostname, driveC, configFile };
}
