// GET /assets/<path>: the pages' scripts, styles, the shared pure validators and Alpine.js from node_modules.
// A fixed allow-list (no directory serving), so nothing but these files can ever be read through this route.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { TEMPLATES_DIR } from '../views/paths.js';

const require = createRequire(import.meta.url);
const ALPINE_DIST = dirname(require.resolve('alpinejs'));
// The compiled pure modules of sidecar/lib (dist/sidecar/lib): the browser runs the very code the server runs.
const LIB_DIR = fileURLToPath(new URL('../lib/', import.meta.url));

export const ASSETS: Readonly<Record<string, string>> = {
  'vendor/alpine.min.js': join(ALPINE_DIST, 'cdn.min.js'),
  'scripts/api.js': join(TEMPLATES_DIR, 'scripts', 'api.js'),
  'scripts/restore-wizard.js': join(TEMPLATES_DIR, 'scripts', 'restore-wizard.js'),
  'scripts/live-run.js': join(TEMPLATES_DIR, 'scripts', 'live-run.js'),
  'styles/restore.css': join(TEMPLATES_DIR, 'styles', 'restore.css'),
  'lib/target-path.js': join(LIB_DIR, 'target-path.js'),
  'lib/format-bytes.js': join(LIB_DIR, 'format-bytes.js'),
  'lib/target-key.js': join(LIB_DIR, 'target-key.js'),
};

export function assetsRouter(): Router {
  const router = Router();
  router.get('/assets/{*path}', (req, res, next) => {
    const path = ([] as string[]).concat(req.params.path ?? []).join('/');
    const file = Object.hasOwn(ASSETS, path) ? ASSETS[path] : undefined;
    if (!file) {
      next();
      return;
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-cache');
    res.type(path.endsWith('.css') ? 'text/css' : 'text/javascript');
    res.sendFile(file, (err) => {
      if (err) next(err);
    });
  });
  return router;
}
