// GET .../hyperv/backup-points for the client API and the admin's wizard alike: one VM's restore points, as the
// client sees them, cached per VM as it is now.
import type { Request, Response } from 'express';
import type { Deps } from '../deps.js';
import { encodeJson, sendEncodedJson } from '../http/encoded-json.js';
import { successBody } from '../http/respond.js';
import { validator } from '../http/validate.js';
import { errors } from '../lib/errors.js';
import { backupPointsQueryMessages, backupPointsQuerySchema } from '../schemas/client.js';
import type { ClientScope } from '../services/accountability.js';
import { listVmPoints, requireClientVm } from '../services/backup-points.js';

const backupPointsQuery = validator(backupPointsQuerySchema, backupPointsQueryMessages);

/**
 * The restore points of one VM of the client `scopeOf` names for it (the signed-in client, or the VM's own client
 * for an admin). Ownership is checked on every request; the page is cached (LISTING_CACHE_MS) under the VM as it is
 * now, so an edited VM row is never answered from a page built before the edit.
 */
export async function sendVmPoints(deps: Deps, req: Request, res: Response, scopeOf: (vmId: number) => Promise<ClientScope | null>): Promise<void> {
  const { db, listingCache, listingIndexCache } = deps;
  const q = backupPointsQuery(req.query);
  const scope = await scopeOf(q.vm_id);
  if (!scope) throw errors.vmNotFound();
  const vm = await requireClientVm(db, scope, q.vm_id);
  const key = `${q.type ?? ''}:${q.limit}:${q.offset}:${JSON.stringify(vm)}`;
  sendEncodedJson(req, res, await listingCache.get(key, async () => encodeJson(successBody({ vm, ...await listVmPoints(db, listingIndexCache, vm, q) }))));
}

