// The body of a restore start, as the client's and the admin's wizard send it: disk_filter normalised from a JSON
// string or repeated form fields, then validated once with the start schema (one set of rules for both callers).
import { normalizeDiskFilter, startRestoreBodyMessages, startRestoreBodySchema, type StartRestoreBody } from '../schemas/client.js';
import { validator } from './validate.js';

const startRestoreBody = validator(startRestoreBodySchema, startRestoreBodyMessages);

export function startRestoreInput(raw: unknown): StartRestoreBody {
  const body: Record<string, unknown> = { ...(raw as Record<string, unknown> | undefined) };
  if ('disk_filter' in body) body.disk_filter = normalizeDiskFilter(body.disk_filter);
  return startRestoreBody(body);
}
