import type { Response } from 'express';

/** The one success envelope: {"status":"success", ...payload}. */
export function respond(res: Response, payload: Record<string, unknown> = {}, httpStatus = 200): void {
  res.status(httpStatus).json({ status: 'success', ...payload });
}

/** The same envelope around `payload` followed by the fields of an object that is already JSON bytes (a cached page). */
export function respondWithSerialized(res: Response, payload: Record<string, unknown>, serialized: Buffer): void {
  const head = JSON.stringify({ status: 'success', ...payload });
  const fields = serialized.subarray(1); // '{' dropped: its fields continue the envelope, its '}' closes it
  if (fields.length <= 1) {
    res.status(200).type('json').send(head);
    return;
  }
  // Two writes, no copy: the page's bytes go to the socket as they are in the cache.
  const opening = Buffer.from(`${head.slice(0, -1)},`);
  res.status(200).type('json').setHeader('Content-Length', opening.length + fields.length);
  res.cork();
  res.write(opening);
  res.end(fields);
}
