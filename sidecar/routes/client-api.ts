// The client JSON API (contract "Client API"): validate -> service(clientId, ...) -> respond. The bridge signature
// was checked in app.ts; requireClient makes sure a client is signed in.
import { Router } from 'express';
import type { Deps } from '../deps.js';
import { clientOf, requireClient } from '../http/bridge-auth.js';
import { FixedWindowLimiter, rateLimit } from '../http/rate-limit.js';
import { respond } from '../http/respond.js';
import { startRestoreInput } from '../http/start-restore-input.js';
import { validator } from '../http/validate.js';
import { parseRunRef, runEventsQueryMessages, runEventsQuerySchema, vmsQueryMessages, vmsQuerySchema } from '../schemas/client.js';
import { startRestore } from '../services/restores.js';
import { clientEvent, listRunEvents } from '../services/run-events.js';
import { cancelRun, findClientRun, getRun } from '../services/runs.js';
import { listVms } from '../services/vms.js';
import { sendVmPoints } from './vm-points.js';

const vmsQuery = validator(vmsQuerySchema, vmsQueryMessages);
const runEventsQuery = validator(runEventsQuerySchema, runEventsQueryMessages);

export function clientApiRouter(deps: Deps): Router {
  const { config, db, log: rootLog, runFinished } = deps;
  const router = Router();
  // Every attempt counts, valid or not: the limit is about load, not about successful restores.
  const limitStarts = rateLimit(new FixedWindowLimiter(config.restoreStartsPerMinute, 60_000), (_req, res) => String(clientOf(res).clientId));
  const log = rootLog.child({ route: 'client-api' });
  router.use(['/api/hyperv', '/api/runs'], requireClient);

  router.get('/api/hyperv/vms', async (req, res) => {
    const q = vmsQuery(req.query);
    respond(res, { vms: await listVms(db, clientOf(res), q.job_id) });
  });

  router.get('/api/hyperv/backup-points', async (req, res) => {
    await sendVmPoints(deps, req, res, async () => clientOf(res));
  });

  router.post('/api/hyperv/restores', limitStarts, async (req, res) => {
    const who = clientOf(res);
    const started = await startRestore(db, who, startRestoreInput(req.body));
    log.info('restore queued', { requestId: res.locals.requestId, runId: started.restore_run_id, commandId: started.command_id, jobId: started.job_id, agentId: started.agent_id, clientId: who.clientId, adminId: who.actingAdminId });
    respond(res, started);
  });

  router.get('/api/runs/:run', async (req, res) => {
    respond(res, { run: await getRun(db, clientOf(res), parseRunRef(req.params.run)) });
  });

  router.get('/api/runs/:run/events', async (req, res) => {
    const run = await findClientRun(db, clientOf(res), parseRunRef(req.params.run));
    const q = runEventsQuery(req.query);
    const events = (await listRunEvents(db, run.id, q.after, q.limit)).map(clientEvent);
    respond(res, { run_id: run.id, run_status: run.status, events, last_id: events.at(-1)?.id ?? q.after });
  });

  router.post('/api/runs/:run/cancel', async (req, res) => {
    const who = clientOf(res);
    const result = await cancelRun(db, who, parseRunRef(req.params.run), runFinished);
    log.info('restore cancel', { requestId: res.locals.requestId, runId: result.run.id, outcome: result.message, clientId: who.clientId, adminId: who.actingAdminId });
    respond(res, result);
  });

  return router;
}
