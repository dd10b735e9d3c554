// What each restore restores and where, as columns (s3_hyperv_restore_targets, one row per restore run): the
// duplicate-restore check and the admin's VM filter read these instead of parsing stats_json. Runs queued before
// this step are backfilled from their stats_json once, here.
import type { Knex } from 'knex';
import { targetKey, TARGET_KEY_MAX_LENGTH } from '../../sidecar/lib/target-key.js';
import { ensureTable, type Migration } from './types.js';

const TABLE = 's3_hyperv_restore_targets';

interface LegacyRun {
  id: number | string;
  stats_json: unknown;
}

function statsOf(value: unknown): { vm_id?: unknown; vm_name?: unknown; target_path?: unknown } {
  if (typeof value !== 'string') return value && typeof value === 'object' ? value : {};
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

async function backfill(db: Knex): Promise<void> {
  const runs = (await db('s3_cloudbackup_runs as r').leftJoin(`${TABLE} as t`, 't.run_id', 'r.id')
    .where('r.run_type', 'hyperv_restore').whereNull('t.run_id').select('r.id', 'r.stats_json')) as LegacyRun[];
  for (const run of runs) {
    const stats = statsOf(run.stats_json);
    const vmId = Number(stats.vm_id);
    const path = typeof stats.target_path === 'string' ? stats.target_path : null;
    await db(TABLE).insert({
      run_id: Number(run.id), vm_id: Number.isSafeInteger(vmId) && vmId > 0 ? vmId : null,
      vm_name: typeof stats.vm_name === 'string' ? stats.vm_name.slice(0, 255) : null,
      target_path: path?.slice(0, 1024) ?? null, target_key: path === null ? null : targetKey(path),
    });
  }
}

export const restoreTargets: Migration = {
  id: '0005-restore-targets',
  async up(db) {
    await ensureTable(db, {
      name: TABLE,
      columns: [
        { name: 'run_id', build: (t) => t.bigInteger('run_id').unsigned().notNullable().primary() },
        { name: 'vm_id', build: (t) => t.bigInteger('vm_id').unsigned().nullable() },
        { name: 'vm_name', build: (t) => t.string('vm_name', 255).nullable() },
        { name: 'target_path', build: (t) => t.string('target_path', 1024).nullable() },
        { name: 'target_key', build: (t) => t.string('target_key', TARGET_KEY_MAX_LENGTH).nullable() },
      ],
      extras: (t) => {
        t.index(['vm_id', 'target_key'], 'hvr_restore_targets_vm_target');
        t.foreign('run_id', 'hvr_restore_targets_run').references('id').inTable('s3_cloudbackup_runs').onDelete('CASCADE');
      },
    });
    await backfill(db);
  },
};
