// An admin cancels any client's restore: the same cancel as the client's (state machine, the one finish, events),
// recorded as the admin's own ("Cancelled by an administrator"), not as the client's.
import type { Knex } from 'knex';
import { errors } from '../lib/errors.js';
import type { AdminAccountability } from './accountability.js';
import { findAdminRun, findAnyRun } from './admin-runs.js';
import type { RunFinishedBus } from './run-lifecycle.js';
import { cancelFoundRun, runView, type RunView } from './runs.js';

export async function adminCancelRun(db: Knex, who: AdminAccountability, ref: string, bus: RunFinishedBus): Promise<{ message: string; run: RunView }> {
  const found = await findAdminRun(db, who, ref);
  const run = found && (await findAnyRun(db, who, found.id));
  if (!run) throw errors.runNotFound();
  const reread = async () => (await findAnyRun(db, who, run.id)) ?? run;
  const { message } = await cancelFoundRun(db, who, run, bus, reread);
  return { message, run: runView(await reread()) };
}
