// GET /healthz: 200 when the database answers (with the schema version), 503 when it does not.
import { Router } from 'express';
import { schemaStatus } from '../db/migrate.js';
import type { Deps } from '../deps.js';
import { requestLog } from '../http/request-log.js';
import { respond } from '../http/respond.js';
import { coerceError } from '../lib/errors.js';

export function healthRouter({ db, log }: Deps): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await db.raw('SELECT 1');
      const schema = await schemaStatus(db);
      respond(res, { database: 'ok', schema_version: schema.version, pending_migrations: schema.pending });
    } catch (thrown) {
      requestLog(res, log).warn('health check: database unreachable', { err: coerceError(thrown) });
      res.status(503).json({ status: 'fail', message: 'Database unavailable', database: 'unreachable' });
    }
  });
  return router;
}
