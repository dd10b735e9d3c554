// Bridge -> sidecar authentication (contract): HMAC-SHA256 over the canonical string, a 300 s clock window and a
// nonce accepted once across all instances (stored in the database). Sets res.locals.identity (the signed headers)
// and res.locals.accountability (who is acting, for the services).
import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { DEMO_CLIENT_ID, type Config } from '../config.js';
import { errors } from '../lib/errors.js';
import { safeEqual, sign } from '../lib/hmac.js';
import type { Logger } from '../lib/log.js';
import { BRIDGE, clientAccountability, type Accountability, type AdminAccountability, type BridgeAccountability, type ClientAccountability } from '../services/accountability.js';
import { acceptNonce, createNoncePruner } from '../services/nonces.js';
import { hasUnsupportedBody, rawBodyOf } from './body-parsers.js';
import type { BridgeIdentity } from './locals.js';

export const CLOCK_WINDOW_SECONDS = 300;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const ID = /^[1-9][0-9]{0,9}$/;

type Checked = { ok: true; identity: BridgeIdentity; nonce: string; timestamp: number } | { ok: false; reason: string };

function optionalId(value: string): number | undefined | null {
  if (value === '') return undefined;
  return ID.test(value) ? Number(value) : null;
}

function bridgeHeaders(req: Request) {
  const h = (name: string) => req.get(name) ?? '';
  return {
    timestamp: h('x-bridge-timestamp'), nonce: h('x-bridge-nonce'), clientId: h('x-bridge-client-id'),
    adminId: h('x-bridge-admin-id'), signature: h('x-bridge-signature'),
  };
}

/** Everything that needs no database: header shapes, clock window, signature. */
export function checkSignedRequest(req: Request, secret: string, nowSeconds: number): Checked {
  const b = bridgeHeaders(req);
  if (!secret) return { ok: false, reason: 'no bridge secret configured' };
  if (!/^[0-9]{1,12}$/.test(b.timestamp)) return { ok: false, reason: 'bad timestamp' };
  if (Math.abs(nowSeconds - Number(b.timestamp)) > CLOCK_WINDOW_SECONDS) return { ok: false, reason: 'timestamp outside the window' };
  if (!NONCE.test(b.nonce)) return { ok: false, reason: 'bad nonce' };
  const clientId = optionalId(b.clientId);
  const adminId = optionalId(b.adminId);
  if (clientId === null || adminId === null) return { ok: false, reason: 'bad identity header' };
  const expected = sign(secret, {
    timestamp: b.timestamp, nonce: b.nonce, method: req.method, pathAndQuery: req.originalUrl,
    clientId: b.clientId, adminId: b.adminId, body: rawBodyOf(req),
  });
  if (!safeEqual(b.signature.toLowerCase(), expected)) return { ok: false, reason: 'signature mismatch' };
  const identity: BridgeIdentity = {};
  if (clientId !== undefined) identity.clientId = clientId;
  if (adminId !== undefined) identity.adminId = adminId;
  return { ok: true, identity, nonce: b.nonce, timestamp: Number(b.timestamp) };
}

/** The current secret first; during a rotation a signature made with the previous secret is accepted too. */
function checkWithRotation(req: Request, config: Readonly<Config>, onPrevious: (used: string) => void): Checked {
  const now = Math.floor(Date.now() / 1000);
  const checked = checkSignedRequest(req, config.bridgeSecret, now);
  if (checked.ok || checked.reason !== 'signature mismatch' || !config.bridgeSecretPrevious) return checked;
  const previous = checkSignedRequest(req, config.bridgeSecretPrevious, now);
  if (previous.ok) onPrevious('previous');
  return previous.ok ? previous : checked;
}

export interface BridgeAuthDeps {
  config: Readonly<Config>;
  db: Knex;
  log: Logger;
}

/** Mount once per request path (a second check would see its own nonce as a replay). */
export function bridgeAuth({ config, db, log }: BridgeAuthDeps): RequestHandler {
  const prune = createNoncePruner(db, (err) => log.warn('pruning bridge nonces failed', { err }));
  return async (req, res, next) => {
    const bodyError = res.locals.bodyError;
    // Too large or in an unknown charset: the raw bytes were never read, so no signature could be checked anyway.
    if (bodyError?.type === 'entity.too.large' || bodyError?.status === 415) throw bodyError;
    if (config.demoMode && req.get('x-bridge-signature') === undefined) {
      setIdentity(res, { clientId: DEMO_CLIENT_ID });
    } else {
      const checked = checkWithRotation(req, config, (used) => log.warn('bridge request signed with BRIDGE_SECRET_PREVIOUS', { route: req.path, requestId: res.locals.requestId, used }));
      const replayed = checked.ok && !(await acceptNonce(db, checked.nonce, new Date((checked.timestamp + CLOCK_WINDOW_SECONDS) * 1000)));
      if (!checked.ok || replayed) {
        log.info('bridge request rejected', { route: req.path, requestId: res.locals.requestId, reason: checked.ok ? 'nonce replayed' : checked.reason });
        throw errors.unauthorized();
      }
      setIdentity(res, checked.identity);
      prune();
    }
    if (bodyError) throw bodyError;
    if (hasUnsupportedBody(req)) throw errors.unsupportedMediaType();
    if (Buffer.isBuffer(req.body)) req.body = undefined;
    next();
  };
}

/** A client id makes the caller that client (an admin id with it: an admin acting as the client); an admin id alone
 *  makes an admin; neither makes the bridge itself (its cron pass, which no person is logged in to). */
export function accountabilityOf(identity: BridgeIdentity): Accountability {
  if (identity.clientId !== undefined) return clientAccountability(identity.clientId, identity.adminId);
  if (identity.adminId !== undefined) return { kind: 'admin', adminId: identity.adminId };
  return BRIDGE;
}

function setIdentity(res: Response, identity: BridgeIdentity): void {
  res.locals.identity = identity;
  res.locals.accountability = accountabilityOf(identity);
}

/** The signed-in client; only call behind requireClient. */
export function clientOf(res: Response): ClientAccountability {
  const who = res.locals.accountability;
  if (who?.kind !== 'client') throw errors.unauthorized();
  return who;
}

/** The signed-in admin (also when the bridge sent a client id with the admin id); only call behind requireAdmin. */
export function adminOf(res: Response): AdminAccountability {
  const who = res.locals.accountability;
  if (who?.kind === 'admin') return who;
  if (who?.kind === 'client' && who.actingAdminId !== undefined) return { kind: 'admin', adminId: who.actingAdminId };
  throw errors.unauthorized();
}

/** The bridge itself; a request signed for a client or an admin is refused (a customer never reaches all clients' notices). */
export function bridgeOf(res: Response): BridgeAccountability {
  const who = res.locals.accountability;
  if (who?.kind !== 'bridge') throw errors.unauthorized();
  return who;
}

export const requireBridge: RequestHandler = (_req, res, next) => {
  bridgeOf(res);
  next();
};

export const requireClient: RequestHandler = (_req, res, next) => {
  clientOf(res);
  next();
};

export const requireAdmin: RequestHandler = (_req, res, next) => {
  adminOf(res);
  next();
};
