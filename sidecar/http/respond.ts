import type { Response } from 'express';

/** The one success envelope: {"status":"success", ...payload} (also for answers cached as bytes). */
export function successBody(payload: Record<string, unknown> = {}): Record<string, unknown> {
  return { status: 'success', ...payload };
}

export function respond(res: Response, payload: Record<string, unknown> = {}, httpStatus = 200): void {
  res.status(httpStatus).json(successBody(payload));
}
