// Admin routes (WHMCS admin area through the bridge, signed with the admin id): restore runs of all clients,
// one run with its events, cancel, agents. JSON under /admin/api, HTML fragments under /admin/pages.
import { Router, type Response } from 'express';
import type { Deps } from '../deps.js';
import { adminOf, requireAdmin } from '../http/bridge-auth.js';
import { respond } from '../http/respond.js';
import { usePageCsp } from '../http/security-headers.js';
import { errors } from '../lib/errors.js';
import { parseAdminAgentsQuery, parseAdminRunsQuery } from '../schemas/admin.js';
import { AGENT_ONLINE_SECONDS, listAdminAgents } from '../services/admin-agents.js';
import { adminCancelRun } from '../services/admin-cancel.js';
import { adminRunWithEvents, listAdminRuns } from '../services/admin-runs.js';
import { ACTIVE_STATUSES, RUN_STATUSES } from '../services/run-status.js';
import { renderAdmin, type AdminView } from '../views/admin-views.js';

function sendPage(res: Response, view: AdminView, model: Record<string, unknown>): void {
  usePageCsp(res);
  res.status(200).type('text/html; charset=utf-8').set('Cache-Control', 'no-store').send(renderAdmin(view, model));
}

export function adminRouter({ db, log, runFinished }: Deps): Router {
  const router = Router();
  router.use('/admin', requireAdmin);

  const runDetail = async (res: Response, ref: string) => {
    const found = await adminRunWithEvents(db, adminOf(res), ref);
    if (!found) throw errors.runNotFound();
    return found;
  };

  router.get('/admin/api/runs', async (req, res) => {
    respond(res, { ...(await listAdminRuns(db, adminOf(res), parseAdminRunsQuery(req.query))) });
  });
  router.get('/admin/api/runs/:run', async (req, res) => {
    respond(res, { ...(await runDetail(res, req.params.run)) });
  });
  router.post('/admin/api/runs/:run/cancel', async (req, res) => {
    const who = adminOf(res);
    const result = await adminCancelRun(db, who, req.params.run, runFinished);
    log.info('admin cancelled a restore', { route: req.path, requestId: res.locals.requestId, runId: result.run.id, adminId: who.adminId });
    respond(res, result);
  });
  router.get('/admin/api/agents', async (req, res) => {
    respond(res, { agents: await listAdminAgents(db, adminOf(res), parseAdminAgentsQuery(req.query)) });
  });

  router.get('/admin/pages/runs', async (req, res) => {
    const filters = parseAdminRunsQuery(req.query);
    const result = await listAdminRuns(db, adminOf(res), filters);
    const pages = Math.ceil(result.total / result.limit);
    sendPage(res, 'runs', {
      ...result, filters, statuses: RUN_STATUSES, pages,
      prevPage: result.page > 1 ? result.page - 1 : null,
      nextPage: result.page < pages ? result.page + 1 : null,
    });
  });
  router.get('/admin/pages/runs/:run', async (req, res) => {
    const { run, events } = await runDetail(res, req.params.run);
    const cancellable = (ACTIVE_STATUSES as readonly string[]).includes(run.status) && !run.cancelRequested;
    sendPage(res, 'run', { run, events, cancellable });
  });
  router.get('/admin/pages/agents', async (req, res) => {
    sendPage(res, 'agents', { agents: await listAdminAgents(db, adminOf(res), parseAdminAgentsQuery(req.query)), onlineSeconds: AGENT_ONLINE_SECONDS });
  });
  return router;
}
