// Idempotent event pushes: an agent retries a batch it could not confirm; the (run, event key) pair it sent is
// recorded here in the same transaction as the event, so a retried event is recognised and stored once.
import { ensureTable, type Migration } from './types.js';

export const agentEventKeys: Migration = {
  id: '0004-agent-event-keys',
  async up(db) {
    await ensureTable(db, {
      name: 's3_hyperv_restore_event_keys',
      columns: [
        { name: 'run_id', build: (t) => t.bigInteger('run_id').unsigned().notNullable() },
        { name: 'event_key', build: (t) => t.string('event_key', 64).notNullable() },
        { name: 'event_id', build: (t) => t.bigInteger('event_id').unsigned().nullable() },
        { name: 'created_at', build: (t) => t.dateTime('created_at').notNullable() },
      ],
      extras: (t) => {
        t.primary(['run_id', 'event_key']);
        t.foreign('run_id', 'hvr_event_keys_run').references('id').inTable('s3_cloudbackup_runs').onDelete('CASCADE');
      },
    });
  },
};
