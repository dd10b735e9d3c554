// Tables that only the restore sidecar uses: bridge nonces (replay protection shared by every instance) and
// leases (one instance at a time runs a periodic job).
import { ensureTable, type Migration } from './types.js';

export const restoreTables: Migration = {
  id: '0002-restore-tables',
  async up(db) {
    await ensureTable(db, {
      name: 's3_hyperv_restore_nonces',
      columns: [
        { name: 'nonce', build: (t) => t.string('nonce', 64).primary() },
        { name: 'expires_at', build: (t) => t.dateTime('expires_at').notNullable().index('hvr_nonces_expires') },
      ],
    });
    await ensureTable(db, {
      name: 's3_hyperv_restore_leases',
      columns: [
        { name: 'name', build: (t) => t.string('name', 64).primary() },
        { name: 'holder', build: (t) => t.string('holder', 64).notNullable() },
        { name: 'expires_at', build: (t) => t.dateTime('expires_at').notNullable() },
      ],
    });
  },
};
