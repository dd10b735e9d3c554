// The demo data: one client with an agent, a Hyper-V job, a VM with two disks and a Full + two Incremental
// backup points. Idempotent: rows are found by natural keys (agent hostname, job name, VM guid, point run) and
// only missing ones are inserted, so `npm run demo` can run any number of times on the same database.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { toDbTime } from '../db/dialect.js';

export interface DemoPointInput {
  backupType: 'Full' | 'Incremental';
  /** disk path -> kopia snapshot manifest id (real ones when a demo kopia repository exists). */
  diskManifests?: Record<string, string>;
  /** Default: the sum of the disk sizes. */
  totalSizeBytes?: number;
}

export interface SeedOptions {
  clientId: number;
  vmName?: string;
  vmGuid?: string;
  jobName?: string;
  hostname?: string;
  diskSizes?: [number, number];
  /** The VM's two disk paths on the Hyper-V host (the keys of every point's disk_manifests). */
  diskPaths?: [string, string];
  /** Defaults to a Full and two Incrementals, a day apart, the newest one day ago. */
  points?: DemoPointInput[];
  now?: Date;
}

export interface SeedResult {
  clientId: number;
  agentId: number;
  agentToken: string;
  jobId: number;
  vmId: number;
  diskPaths: string[];
  backupPointIds: number[];
}

const DAY = 24 * 3600 * 1000;

async function findOrInsert(db: Knex, table: string, where: Record<string, unknown>, insert: Record<string, unknown>): Promise<Record<string, unknown>> {
  const found = (await db(table).where(where).first()) as Record<string, unknown> | undefined;
  if (found) return found;
  await db(table).insert({ ...where, ...insert });
  return (await db(table).where(where).orderBy('id', 'desc').first()) as Record<string, unknown>;
}

function fakeManifest(seed: string): string {
  // Stable per disk and point, 32 hex characters like a kopia manifest id.
  let hex = '';
  for (let i = 0; hex.length < 32; i++) hex += Buffer.from(`${seed}:${i}`).toString('hex');
  return hex.slice(-32);
}

type SeedSettings = Required<Omit<SeedOptions, 'points' | 'now' | 'diskPaths'>> & Pick<SeedOptions, 'diskPaths'>;

async function seedAgentJobVm(db: Knex, o: SeedSettings, now: string) {
  const agent = await findOrInsert(db, 's3_cloudbackup_agents', { client_id: o.clientId, hostname: o.hostname },
    { agent_token: randomBytes(24).toString('hex'), status: 'active', last_seen_at: now, created_at: now, updated_at: now });
  const job = await findOrInsert(db, 's3_cloudbackup_jobs', { client_id: o.clientId, name: o.jobName },
    { agent_id: agent.id, source_type: 'hyperv', engine: 'hyperv', hyperv_enabled: 1, status: 'active', created_at: now, updated_at: now });
  const vm = await findOrInsert(db, 's3_hyperv_vms', { job_id: job.id, vm_guid: o.vmGuid },
    { vm_name: o.vmName, generation: 2, rct_enabled: 1, backup_enabled: 1, integration_services: 1, created_at: now, updated_at: now });
  const safe = o.vmName.replace(/[<>:"/\\|?*]/g, '_');
  const diskPaths = o.diskPaths ?? [`C:\\Hyper-V\\${safe}\\${safe}-os.vhdx`, `C:\\Hyper-V\\${safe}\\data.vhdx`];
  for (const [i, path] of diskPaths.entries()) {
    await findOrInsert(db, 's3_hyperv_vm_disks', { vm_id: vm.id, disk_path: path },
      { controller_type: 'SCSI', controller_number: 0, controller_location: i, vhd_format: 'VHDX', size_bytes: o.diskSizes[i], created_at: now, updated_at: now });
  }
  return { agent, job, vm, diskPaths };
}

interface PointContext {
  jobId: number;
  agentId: number;
  vmId: number;
  diskPaths: string[];
  totalSize: number;
}

async function seedPoint(db: Knex, ctx: PointContext, input: DemoPointInput, index: number, parentId: number | null, at: Date) {
  const runUuid = `demo-backup-${ctx.vmId}-${index}`;
  const created = toDbTime(at);
  const run = await findOrInsert(db, 's3_cloudbackup_runs', { job_id: ctx.jobId, run_uuid: runUuid },
    { agent_id: ctx.agentId, status: 'success', run_type: 'hyperv_backup', engine: 'hyperv', created_at: created, started_at: created, finished_at: toDbTime(new Date(at.getTime() + 95000)), progress_pct: 100 });
  const manifests = input.diskManifests ?? Object.fromEntries(ctx.diskPaths.map((p) => [p, fakeManifest(`${runUuid}:${p}`)]));
  const fields = {
    backup_type: input.backupType, parent_backup_id: parentId, disk_manifests: JSON.stringify(manifests),
    manifest_id: Object.values(manifests)[0] ?? null,
  };
  const point = await findOrInsert(db, 's3_hyperv_backup_points', { vm_id: ctx.vmId, run_id: run.id }, {
    ...fields, vm_config_json: JSON.stringify({ generation: 2 }), total_size_bytes: input.totalSizeBytes ?? ctx.totalSize,
    changed_size_bytes: index === 0 ? null : Math.round((input.totalSizeBytes ?? ctx.totalSize) * 0.06),
    duration_seconds: 95, consistency_level: 'Application', warnings_json: '[]', has_warnings: 0, created_at: created,
  });
  // Real manifests passed on a later run replace the placeholders of an earlier one.
  if (input.diskManifests) await db('s3_hyperv_backup_points').where('id', Number(point.id)).update(fields);
  return Number(point.id);
}

export async function seedDemoClient(db: Knex, options: SeedOptions): Promise<SeedResult> {
  const o = {
    vmName: 'web-01', vmGuid: '6f1c2a4e-0d3b-4c55-9a7e-2b1f0c9d8e01', jobName: 'Nightly Hyper-V backup', hostname: 'HV-DEMO-01',
    diskSizes: [2 * 1024 ** 3, 1024 ** 3] as [number, number], ...options,
  };
  const nowDate = options.now ?? new Date();
  const { agent, job, vm, diskPaths } = await seedAgentJobVm(db, o, toDbTime(nowDate));
  const points = options.points ?? [{ backupType: 'Full' }, { backupType: 'Incremental' }, { backupType: 'Incremental' }];
  const ctx = { jobId: Number(job.id), agentId: Number(agent.id), vmId: Number(vm.id), diskPaths, totalSize: o.diskSizes[0] + o.diskSizes[1] };
  const ids: number[] = [];
  for (const [i, point] of points.entries()) {
    const at = new Date(nowDate.getTime() - (points.length - i) * DAY);
    ids.push(await seedPoint(db, ctx, point, i, point.backupType === 'Full' ? null : (ids[i - 1] ?? null), at));
  }
  return {
    clientId: o.clientId, agentId: Number(agent.id), agentToken: String(agent.agent_token),
    jobId: ctx.jobId, vmId: ctx.vmId, diskPaths, backupPointIds: ids,
  };
}
