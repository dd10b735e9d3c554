// An admin cancels any client's restore: the run's own client is looked up, then the client API's cancelRun does
// the work (same state machine, command retirement and events), with the admin recorded as the actor.
import type { Knex } from 'knex';
import { errors } from '../lib/errors.js';
import { findAdminRun } from './admin-runs.js';
import { cancelRun } from './runs.js';

export async function adminCancelRun(db: Knex, ref: string, adminId: number): Promise<Awaited<ReturnType<typeof cancelRun>>> {
  const run = await findAdminRun(db, ref);
  if (!run) throw errors.runNotFound();
  return cancelRun(db, { clientId: run.clientId, adminId }, { id: run.id });
}
