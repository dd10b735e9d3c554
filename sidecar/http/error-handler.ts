// Every failure leaves through here as {"status":"fail","message":...}; unknown errors become a generic 500.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, MESSAGES, coerceError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { translateDbError } from '../db/translate-error.js';

function fromBodyParser(err: Error & { type?: string; status?: number }): AppError | null {
  if (err.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 413, MESSAGES.PAYLOAD_TOO_LARGE);
  if (err.status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 415, MESSAGES.UNSUPPORTED_MEDIA_TYPE);
  if (err.type === 'entity.parse.failed') return new AppError('INVALID_JSON', 400, 'Request body is not valid JSON');
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    return new AppError('BAD_REQUEST', err.status, MESSAGES.BAD_REQUEST);
  }
  return null;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (thrown, req, res, _next) => {
    const err = coerceError(thrown);
    const known = err instanceof AppError ? err : (fromBodyParser(err) ?? translateDbError(err));
    if (known && known.status < 500) {
      res.status(known.status).json({ ...known.details, status: 'fail', message: known.message });
      return;
    }
    const status = known?.status ?? 500;
    log.error('request failed', { requestId: res.locals.requestId, route: req.path, err, code: known?.code });
    res.status(status).json({ status: 'fail', message: known?.message ?? MESSAGES.INTERNAL });
  };
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ status: 'fail', message: MESSAGES.NOT_FOUND });
};
