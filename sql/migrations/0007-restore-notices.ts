// The "restore finished" e-mail's bookkeeping (s3_hyperv_restore_notices, one row per ended restore once the bridge
// has taken it). A restore that ended before this step existed must not e-mail its customer weeks later, so every
// run already ended here is recorded once as 'predates' and is never offered. Names are written out: a shipped step
// must not change with the code.
import type { Knex } from 'knex';
import { toDbTime } from '../../sidecar/db/dialect.js';
import { ensureTable, type Migration } from './types.js';

const TABLE = 's3_hyperv_restore_notices';
const ENDED = ['success', 'warning', 'failed', 'cancelled'];
const BATCH = 500;

async function markEndedRuns(db: Knex): Promise<void> {
  const rows = (await db('s3_cloudbackup_runs as r').leftJoin(`${TABLE} as n`, 'n.run_id', 'r.id')
    .where('r.run_type', 'hyperv_restore').whereIn('r.status', ENDED).whereNull('n.run_id').select('r.id')) as { id: number | string }[];
  const now = toDbTime();
  for (let i = 0; i < rows.length; i += BATCH) {
    await db(TABLE).insert(rows.slice(i, i + BATCH).map((r) => ({ run_id: Number(r.id), state: 'predates', attempts: 0, created_at: now, updated_at: now })));
  }
}

export const restoreNotices: Migration = {
  id: '0007-restore-notices',
  async up(db) {
    await ensureTable(db, {
      name: TABLE,
      columns: [
        { name: 'run_id', build: (t) => t.bigInteger('run_id').unsigned().notNullable().primary() },
        { name: 'state', build: (t) => t.string('state', 16).notNullable() },
        { name: 'attempts', build: (t) => t.integer('attempts').unsigned().notNullable().defaultTo(0) },
        { name: 'claimed_until', build: (t) => t.dateTime('claimed_until').nullable() },
        { name: 'sent_at', build: (t) => t.dateTime('sent_at').nullable() },
        { name: 'created_at', build: (t) => t.dateTime('created_at').notNullable() },
        { name: 'updated_at', build: (t) => t.dateTime('updated_at').notNullable() },
      ],
      extras: (t) => {
        t.foreign('run_id', 'hvr_restore_notices_run').references('id').inTable('s3_cloudbackup_runs').onDelete('CASCADE');
      },
    });
    await markEndedRuns(db);
  },
};
