// The logger of one request: a child of the app's logger carrying its request id, so every line a request writes
// can be found by the X-Request-Id the caller got back.
import type { Response } from 'express';
import type { Logger } from '../lib/log.js';

export function requestLog(res: Response, fallback: Logger): Logger {
  return res.locals.log ?? fallback.child({ requestId: res.locals.requestId });
}
