import type { Response } from 'express';

/** The one success envelope: {"status":"success", ...payload}. */
export function respond(res: Response, payload: Record<string, unknown> = {}, httpStatus = 200): void {
  res.status(httpStatus).json({ status: 'success', ...payload });
}
