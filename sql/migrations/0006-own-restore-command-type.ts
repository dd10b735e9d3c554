// Our restores get a command type of their own, which the reference module's poll never hands to its agent. The
// restores queued before that carry `hyperv_restore`: ours among them (their run's stats_json has requested_by, which
// the reference never writes) move to the new type while still waiting or in hand; the reference's own commands and
// finished history stay exactly as they are. The names are written out: a shipped step must not change with the code.
import { parseJsonColumn } from '../../sidecar/db/dialect.js';
import type { Migration } from './types.js';

const OLD_TYPE = 'hyperv_restore';
const NEW_TYPE = 'hypervrestore_restore';
const LIVE = ['pending', 'processing'];
const BATCH = 500;

export const ownRestoreCommandType: Migration = {
  id: '0006-own-restore-command-type',
  async up(db) {
    const rows = (await db('s3_cloudbackup_run_commands as c')
      .join('s3_cloudbackup_runs as r', 'r.id', 'c.run_id')
      .where('c.type', OLD_TYPE)
      .whereIn('c.status', LIVE)
      .select('c.id', 'r.stats_json')) as { id: number | string; stats_json: unknown }[];
    const ours = rows.filter((row) => {
      const requestedBy = parseJsonColumn<{ requested_by?: unknown }>(row.stats_json, {}).requested_by;
      return requestedBy !== null && typeof requestedBy === 'object';
    }).map((row) => Number(row.id));
    for (let i = 0; i < ours.length; i += BATCH) {
      await db('s3_cloudbackup_run_commands').whereIn('id', ours.slice(i, i + BATCH)).where('type', OLD_TYPE).whereIn('status', LIVE)
        .update({ type: NEW_TYPE });
    }
  },
};
