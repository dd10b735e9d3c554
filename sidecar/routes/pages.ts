// GET /pages/*: the client's pages. Signed bridge requests get an HTML fragment whose links go back through the
// bridge; unsigned requests in demo mode get the standalone page with direct links. Another client's VM or run
// renders exactly like a missing one.
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps.js';
import { clientOf, requireClient } from '../http/bridge-auth.js';
import { usePageCsp } from '../http/security-headers.js';
import { AppError, MESSAGES } from '../lib/errors.js';
import { parseRunRef } from '../schemas/client.js';
import { getRun } from '../services/runs.js';
import { findClientVm, listVms } from '../services/vms.js';
import { createLinks, type Links } from '../views/links.js';
import { liveModel, notFoundModel, vmListModel, wizardModel } from '../views/page-models.js';
import { sharedRenderer, type Renderer } from '../views/render.js';

const ID = /^[1-9][0-9]{0,9}$/;

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function pagesRouter({ config, db }: Deps, renderer: Renderer = sharedRenderer()): Router {
  const router = Router();
  const direct = (req: Request) => config.demoMode && req.get('x-bridge-signature') === undefined;
  const linksFor = (req: Request): Links => createLinks(direct(req) ? 'direct' : 'bridge');
  const send = (req: Request, res: Response, page: string, model: object, status = 200) => {
    res.status(status).type('html');
    usePageCsp(res);
    res.setHeader('Cache-Control', 'no-store');
    res.send(renderer.render(page, model, direct(req) ? 'standalone' : undefined));
  };
  const notFound = (req: Request, res: Response, page: string, status: number, title: string, message: string) =>
    send(req, res, page, notFoundModel(linksFor(req), title, message), status);

  router.use('/pages', requireClient);

  router.get('/pages/hyperv', async (req, res) => {
    const jobRaw = single(req.query.job_id);
    if (jobRaw !== undefined && jobRaw !== '' && !ID.test(jobRaw)) {
      notFound(req, res, 'hyperv-restore', 400, 'Job not found', 'job_id must be a positive whole number');
      return;
    }
    const vms = await listVms(db, clientOf(res), jobRaw ? Number(jobRaw) : undefined);
    send(req, res, 'hyperv', vmListModel(vms, linksFor(req)));
  });

  router.get('/pages/hyperv-restore', async (req, res) => {
    const raw = single(req.query.vm_id) ?? '';
    if (!ID.test(raw)) {
      notFound(req, res, 'hyperv-restore', raw === '' ? 400 : 404, 'VM not found', raw === '' ? MESSAGES.VM_ID_REQUIRED : MESSAGES.VM_NOT_FOUND);
      return;
    }
    const owned = await findClientVm(db, clientOf(res), Number(raw));
    const vm = owned && (await listVms(db, clientOf(res), owned.job_id)).find((v) => v.id === owned.id);
    if (!vm) {
      notFound(req, res, 'hyperv-restore', 404, 'VM not found', MESSAGES.VM_NOT_FOUND);
      return;
    }
    send(req, res, 'hyperv-restore', wizardModel(vm, linksFor(req)));
  });

  router.get('/pages/live', async (req, res) => {
    const raw = single(req.query.run_id) ?? '';
    const run = await getRun(db, clientOf(res), parseRunRef(raw)).catch((thrown: unknown) => {
      if (thrown instanceof AppError && thrown.status === 404) return null;
      throw thrown;
    });
    if (!run) {
      notFound(req, res, 'live', raw === '' ? 400 : 404, 'Restore not found', raw === '' ? 'run_id is required' : MESSAGES.RUN_NOT_FOUND);
      return;
    }
    send(req, res, 'live', liveModel(run, linksFor(req)));
  });

  return router;
}
