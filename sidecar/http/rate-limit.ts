// Fixed-window rate limits per authenticated caller (a client starting restores, an agent polling for commands).
// Kept in memory per sidecar instance: with N instances behind a balancer the effective ceiling is N x the limit,
// which still caps abuse at a small constant factor and costs no database write per request (docs/security.md).
import type { Request, RequestHandler, Response } from 'express';
import { errors } from '../lib/errors.js';

export interface Decision {
  allowed: boolean;
  /** Whole seconds until the caller's window resets (>= 1 when refused). */
  retryAfterSeconds: number;
}

/** Counts hits per key in windows of `windowMs`; forgets ended windows so memory stays bounded by active callers. */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(readonly limit: number, readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Counts `count` hits (e.g. the events of one batch) for `key`. */
  hit(key: string, count = 1): Decision {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size >= 10_000) this.prune(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += count;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
    return { allowed: window.count <= this.limit, retryAfterSeconds };
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}

/** Counts `count` hits for `key`; once its window is used up: Retry-After and a 429 with the envelope. */
export function enforceLimit(limiter: FixedWindowLimiter, key: string, res: Response, count = 1): void {
  const decision = limiter.hit(key, count);
  if (!decision.allowed) {
    res.setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw errors.rateLimited();
  }
}

/** Refuses with 429, the envelope and Retry-After once `keyOf` has used up its window. No key: not limited. */
export function rateLimit(limiter: FixedWindowLimiter, keyOf: (req: Request, res: Response) => string | undefined): RequestHandler {
  return (req, res, next) => {
    const key = keyOf(req, res);
    if (key !== undefined) enforceLimit(limiter, key, res);
    next();
  };
}
