// What the middleware puts on res.locals, typed once through Express's `Locals` declaration merging, so no handler
// needs a cast to read it.
import type { Logger } from '../lib/log.js';
import type { Accountability } from '../services/accountability.js';

/** The identity headers of a signed bridge request, as they were signed. */
export interface BridgeIdentity {
  clientId?: number;
  adminId?: number;
}

/** A body parser's error, held back until the signature has been checked (body-parsers.ts). */
export type HeldBodyError = Error & { type?: string; status?: number };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- the only way to extend Express's own types
  namespace Express {
    interface Locals {
      requestId?: string;
      log?: Logger;
      bodyError?: HeldBodyError;
      identity?: BridgeIdentity;
      accountability?: Accountability;
    }
  }
}
