// createApp(deps): middleware order, routers, 404 and the error handler. It never listens (tests use supertest).
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { Deps } from './deps.js';
import { bodyParsers } from './http/body-parsers.js';
import { bridgeAuth } from './http/bridge-auth.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { securityHeaders } from './http/security-headers.js';
import { adminRouter } from './routes/admin.js';
import { agentApiRouter } from './routes/agent-api.js';
import { assetsRouter } from './routes/assets.js';
import { bridgeApiRouter } from './routes/bridge-api.js';
import { clientApiRouter } from './routes/client-api.js';
import { healthRouter } from './routes/health.js';
import { pagesRouter } from './routes/pages.js';

/** Path prefixes served to the bridge (client API, pages, admin, the bridge's own notices). The agent API has its own auth. */
export const BRIDGE_PATHS = ['/api', '/pages', '/admin', '/bridge'];

export function createApp(deps: Deps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Answers are per user and never revalidated by the bridge; an ETag would only hash each one (a 128 KiB listing)
  // to save the bytes of a reply the server has already built.
  app.disable('etag');
  app.use((req, res, next) => {
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.locals.log = deps.log.child({ requestId });
    next();
  });
  app.use(securityHeaders);
  app.use(healthRouter(deps));
  // Static code and styles only (no client data), so they need no signature.
  app.use(assetsRouter());
  app.use(agentApiRouter(deps));
  // Everything the bridge calls is signed: bodies are parsed (raw bytes kept) and the signature checked once here.
  app.use(BRIDGE_PATHS, ...bodyParsers(), bridgeAuth(deps));
  app.use(clientApiRouter(deps));
  app.use(pagesRouter(deps));
  app.use(adminRouter(deps));
  app.use(bridgeApiRouter(deps));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
