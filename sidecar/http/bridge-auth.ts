// Bridge -> sidecar authentication (contract): HMAC-SHA256 over the canonical string, a 300 s clock window and a
// nonce accepted once across all instances (stored in the database). Sets res.locals.identity.
import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { DEMO_CLIENT_ID, type Config } from '../config.js';
import { errors } from '../lib/errors.js';
import { safeEqual, sign } from '../lib/hmac.js';
import type { Logger } from '../lib/log.js';
import { acceptNonce, createNoncePruner } from '../services/nonces.js';
import { hasUnsupportedBody, rawBodyOf } from './body-parsers.js';

export const CLOCK_WINDOW_SECONDS = 300;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const ID = /^[1-9][0-9]{0,9}$/;

export interface BridgeIdentity {
  clientId?: number;
  adminId?: number;
}

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
    const bodyError = res.locals.bodyError as (Error & { type?: string }) | undefined;
    // Too large or in an unknown charset: the raw bytes were never read, so no signature could be checked anyway.
    if (bodyError?.type === 'entity.too.large' || (bodyError as { status?: number } | undefined)?.status === 415) throw bodyError;
    if (config.demoMode && req.get('x-bridge-signature') === undefined) {
      res.locals.identity = { clientId: DEMO_CLIENT_ID } satisfies BridgeIdentity;
    } else {
      const checked = checkWithRotation(req, config, (used) => log.warn('bridge request signed with BRIDGE_SECRET_PREVIOUS', { route: req.path, requestId: res.locals.requestId, used }));
      const replayed = checked.ok && !(await acceptNonce(db, checked.nonce, new Date((checked.timestamp + CLOCK_WINDOW_SECONDS) * 1000)));
      if (!checked.ok || replayed) {
        log.info('bridge request rejected', { route: req.path, requestId: res.locals.requestId, reason: checked.ok ? 'nonce replayed' : checked.reason });
        throw errors.unauthorized();
      }
      res.locals.identity = checked.identity;
      prune();
    }
    if (bodyError) throw bodyError;
    if (hasUnsupportedBody(req)) throw errors.unsupportedMediaType();
    if (Buffer.isBuffer(req.body)) req.body = undefined;
    next();
  };
}

export function identityOf(res: Response): BridgeIdentity {
  return (res.locals.identity as BridgeIdentity | undefined) ?? {};
}

/** The signed-in client's id; only call behind requireClient. */
export function clientIdOf(res: Response): number {
  const id = identityOf(res).clientId;
  if (id === undefined) throw errors.unauthorized();
  return id;
}

export const requireClient: RequestHandler = (_req, res, next) => {
  if (identityOf(res).clientId === undefined) throw errors.unauthorized();
  next();
};

export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (identityOf(res).adminId === undefined) throw errors.unauthorized();
  next();
};
