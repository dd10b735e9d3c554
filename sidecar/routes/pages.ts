// GET /pages/*: the client's pages. Signed bridge requests get an HTML fragment whose links go back through the
// bridge; unsigned requests in demo mode get the standalone page with direct links. Another client's VM or run
// renders exactly like a missing one.
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../deps.js';
import { clientOf, requireClient } from '../http/bridge-auth.js';
import { usePageCsp } from '../http/security-headers.js';
import { AppError } from '../lib/errors.js';
import { parseRunRef } from '../schemas/client.js';
import { historyByVm, recentRestores, wizardHistory } from '../services/restore-history.js';
import { getRun } from '../services/runs.js';
import { findClientVm, listVms } from '../services/vms.js';
import { createLinks, type Links } from '../views/links.js';
import { liveModel, notFoundModel, vmListModel, withTheme, wizardModel, type Frame } from '../views/page-models.js';
import { PAGE_TEXTS, type PageText } from '../views/page-texts.js';
import { sharedRenderer, type Renderer } from '../views/render.js';
import { isHostTheme, type PageTheme } from '../views/theme-classes.js';

const ID = /^[1-9][0-9]{0,9}$/;

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function pagesRouter({ config, db }: Deps, renderer: Renderer = sharedRenderer()): Router {
  const router = Router();
  const direct = (req: Request) => config.demoMode && req.get('x-bridge-signature') === undefined;
  const linksFor = (req: Request): Links => createLinks(direct(req) ? 'direct' : 'bridge');
  // The WHMCS theme's Bootstrap, as the bridge names it (`theme=bootstrap3|bootstrap4`); none: the pages' own look.
  const themeOf = (req: Request): PageTheme | null => {
    const raw = req.query.theme;
    if (raw === undefined) return 'own';
    return isHostTheme(raw) ? raw : null;
  };
  const send = (req: Request, res: Response, page: string, model: { frame: Frame }, status = 200) => {
    res.status(status).type('html');
    usePageCsp(res);
    res.setHeader('Cache-Control', 'no-store');
    res.send(renderer.render(page, withTheme(model, themeOf(req) ?? 'own'), direct(req) ? 'standalone' : undefined));
  };
  const notFound = (req: Request, res: Response, page: string, status: number, text: PageText) =>
    send(req, res, page, notFoundModel(linksFor(req), text.title, text.message), status);

  // The demo's bare address opens the demo's first page.
  if (config.demoMode) router.get('/', (_req, res) => res.redirect(302, '/pages/hyperv'));
  router.use('/pages', requireClient);
  router.use('/pages', (req, res, next) => {
    if (themeOf(req) === null) notFound(req, res, 'hyperv-restore', 400, PAGE_TEXTS.THEME_UNKNOWN);
    else next();
  });

  router.get('/pages/hyperv', async (req, res) => {
    const jobRaw = single(req.query.job_id);
    if (jobRaw !== undefined && jobRaw !== '' && !ID.test(jobRaw)) {
      notFound(req, res, 'hyperv-restore', 400, PAGE_TEXTS.JOB_NOT_FOUND);
      return;
    }
    const jobId = jobRaw ? Number(jobRaw) : undefined;
    const [vms, restores] = await Promise.all([listVms(db, clientOf(res), jobId), recentRestores(db, clientOf(res), jobId === undefined ? undefined : [jobId])]);
    send(req, res, 'hyperv', vmListModel(vms, linksFor(req), historyByVm(restores)));
  });

  router.get('/pages/hyperv-restore', async (req, res) => {
    const raw = single(req.query.vm_id) ?? '';
    if (!ID.test(raw)) {
      notFound(req, res, 'hyperv-restore', raw === '' ? 400 : 404, raw === '' ? PAGE_TEXTS.VM_NOT_CHOSEN : PAGE_TEXTS.VM_NOT_FOUND);
      return;
    }
    const owned = await findClientVm(db, clientOf(res), Number(raw));
    const vm = owned && (await listVms(db, clientOf(res), owned.job_id)).find((v) => v.id === owned.id);
    if (!vm) {
      notFound(req, res, 'hyperv-restore', 404, PAGE_TEXTS.VM_NOT_FOUND);
      return;
    }
    send(req, res, 'hyperv-restore', wizardModel(vm, linksFor(req), await wizardHistory(db, clientOf(res), vm)));
  });

  router.get('/pages/live', async (req, res) => {
    const raw = single(req.query.run_id) ?? '';
    const run = await getRun(db, clientOf(res), parseRunRef(raw)).catch((thrown: unknown) => {
      if (thrown instanceof AppError && thrown.status === 404) return null;
      throw thrown;
    });
    if (!run) {
      notFound(req, res, 'live', raw === '' ? 400 : 404, raw === '' ? PAGE_TEXTS.RUN_NOT_CHOSEN : PAGE_TEXTS.RUN_NOT_FOUND);
      return;
    }
    // The bridge says whether its "E-mail the client when a restore ends" setting is on (never the browser: the bridge
    // sets this parameter itself). Absent (demo mode) means off.
    send(req, res, 'live', liveModel(run, linksFor(req), single(req.query.notice) === 'on'));
  });

  // Any other page, and the demo's bare address: a page, not the API's JSON.
  router.get('/pages/{*rest}', (req, res) => notFound(req, res, 'hyperv-restore', 404, PAGE_TEXTS.PAGE_NOT_FOUND));
  return router;
}
