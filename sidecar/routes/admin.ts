// Admin routes (WHMCS admin area through the bridge, signed with the admin id): restore runs of all clients,
// one run with its events, cancel, agents, and a restore started for a client (VM search, the client's own wizard,
// its points and its start). JSON under /admin/api, HTML fragments under /admin/pages.
import { Router, type Response } from 'express';
import type { Deps } from '../deps.js';
import { adminOf, requireAdmin } from '../http/bridge-auth.js';
import { respond } from '../http/respond.js';
import { usePageCsp } from '../http/security-headers.js';
import { errors } from '../lib/errors.js';
import { startRestoreInput } from '../http/start-restore-input.js';
import { parseAdminAgentsQuery, parseAdminRunsQuery, parseAdminVmsQuery } from '../schemas/admin.js';
import { AGENT_ONLINE_SECONDS, listAdminAgents } from '../services/admin-agents.js';
import { adminCancelRun } from '../services/admin-cancel.js';
import { adminRunWithEvents, listAdminRuns } from '../services/admin-runs.js';
import { ADMIN_VM_LIMIT, findAdminVms, findAdminWizardVm, vmOwner } from '../services/admin-vms.js';
import { wizardHistory } from '../services/restore-history.js';
import { startRestore } from '../services/restores.js';
import { ACTIVE_STATUSES, RUN_STATUSES } from '../services/run-status.js';
import { renderAdmin, type AdminView } from '../views/admin-views.js';
import { createLinks } from '../views/links.js';
import { wizardModel } from '../views/page-models.js';
import { sharedRenderer } from '../views/render.js';
import { sendVmPoints } from './vm-points.js';

const ID = /^[1-9][0-9]{0,9}$/;

function sendHtml(res: Response, html: string): void {
  usePageCsp(res);
  res.status(200).type('text/html; charset=utf-8').set('Cache-Control', 'no-store').send(html);
}

function sendPage(res: Response, view: AdminView, model: Record<string, unknown>): void {
  sendHtml(res, renderAdmin(view, model));
}

export function adminRouter(deps: Deps): Router {
  const { db, log, runFinished } = deps;
  const router = Router();
  const adminLinks = createLinks('admin');
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
  // A restore for a client: the client's own wizard (same template, rules and texts), its calls going through the
  // module's admin page; the start is the admin's (Accountability admin), the run the VM's client's.
  router.get('/admin/pages/vms', async (req, res) => {
    const filters = parseAdminVmsQuery(req.query);
    const searched = Object.keys(filters).length > 0;
    const vms = searched ? await findAdminVms(db, adminOf(res), filters) : [];
    sendPage(res, 'vms', { filters, searched, vms, capped: vms.length >= ADMIN_VM_LIMIT });
  });
  router.get('/admin/pages/restore', async (req, res) => {
    const raw = typeof req.query.vm_id === 'string' ? req.query.vm_id : '';
    const found = ID.test(raw) ? await findAdminWizardVm(db, adminOf(res), Number(raw)) : null;
    if (!found) throw raw === '' ? errors.vmIdRequired() : errors.vmNotFound();
    const model = wizardModel(found.vm, adminLinks, await wizardHistory(db, found.scope, found.vm));
    sendHtml(res, sharedRenderer().render('hyperv-restore', { ...model, adminFor: { clientId: found.scope.clientId } }));
  });
  router.get('/admin/api/hyperv/backup-points', async (req, res) => {
    await sendVmPoints(deps, req, res, (vmId) => vmOwner(db, adminOf(res), vmId));
  });
  router.post('/admin/api/hyperv/restores', async (req, res) => {
    const who = adminOf(res);
    const started = await startRestore(db, who, startRestoreInput(req.body));
    log.info('admin started a restore', { route: req.path, requestId: res.locals.requestId, runId: started.restore_run_id, commandId: started.command_id, jobId: started.job_id, agentId: started.agent_id, adminId: who.adminId });
    respond(res, started);
  });

  router.get('/admin/pages/agents', async (req, res) => {
    sendPage(res, 'agents', { agents: await listAdminAgents(db, adminOf(res), parseAdminAgentsQuery(req.query)), onlineSeconds: AGENT_ONLINE_SECONDS });
  });
  return router;
}
