// JSON and form bodies (the bridge forwards either), with the raw bytes kept for the bridge signature.
// Parse errors are held back until bridge-auth has run, so an unsigned caller always gets 401, never a 400
// that tells it anything about how we parse.
import type { IncomingMessage } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';

export const BODY_LIMIT = '64kb';
const rawBodies = new WeakMap<IncomingMessage, Buffer>();

function keepRaw(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  rawBodies.set(req, buf);
}

/** The exact bytes of the request body as received ('' when there was none or it was not read). */
export function rawBodyOf(req: IncomingMessage): Buffer {
  return rawBodies.get(req) ?? Buffer.alloc(0);
}

const holdBodyError: ErrorRequestHandler = (err, _req, res, next) => {
  res.locals.bodyError = err;
  next();
};

export function bodyParsers(): (RequestHandler | ErrorRequestHandler)[] {
  return [
    express.json({ limit: BODY_LIMIT, verify: keepRaw }),
    // extended: repeated fields and PHP-style `disk_filter[]=` / `disk_filter[0]=` both become arrays.
    express.urlencoded({ limit: BODY_LIMIT, extended: true, parameterLimit: 200, verify: keepRaw }),
    // Any other content type is read as bytes only so the signature can be checked; bridge-auth then refuses it.
    express.raw({ type: () => true, limit: BODY_LIMIT, verify: keepRaw }),
    holdBodyError,
  ];
}

/** True when the body arrived in a type neither parser understands (it is then a Buffer). */
export function hasUnsupportedBody(req: { body?: unknown }): boolean {
  return Buffer.isBuffer(req.body) && req.body.length > 0;
}
