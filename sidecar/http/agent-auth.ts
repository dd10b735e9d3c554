// Authenticates the agent API: X-Agent-ID + X-Agent-Token against s3_cloudbackup_agents. Sets res.locals.accountability
// to the agent.
import type { RequestHandler, Response } from 'express';
import type { Db } from '../db/connection.js';
import { fromDbTime, toDbTime } from '../db/dialect.js';
import { AppError, errors } from '../lib/errors.js';
import { safeEqual } from '../lib/hmac.js';
import type { AgentAccountability } from '../services/accountability.js';
import { TABLES } from '../db/tables.js';

interface AgentRow {
  id: number | string;
  agent_token: string;
  status: string;
  last_seen_at: unknown;
}

/** last_seen_at is refreshed at most this often, so a busy agent costs one write per 30 s, not one per call. */
export const LAST_SEEN_REFRESH_MS = 30_000;
const DUMMY_TOKEN = 'x'.repeat(64);

/** The authenticated agent; only call behind agentAuth. */
export function agentOf(res: Response): AgentAccountability {
  const who = res.locals.accountability;
  if (who?.kind !== 'agent') throw errors.unauthorized();
  return who;
}

async function touchLastSeen(db: Db, row: AgentRow, now: Date): Promise<void> {
  const seen = fromDbTime(row.last_seen_at);
  if (seen && now.getTime() - seen.getTime() < LAST_SEEN_REFRESH_MS) return;
  await db(TABLES.agents).where({ id: row.id }).update({ last_seen_at: toDbTime(now) });
}

export function agentAuth(db: Db): RequestHandler {
  return async (req, res, next) => {
    const idHeader = req.get('X-Agent-ID') ?? '';
    const token = req.get('X-Agent-Token') ?? '';
    if (!/^[1-9]\d{0,15}$/.test(idHeader) || token === '' || token.length > 191) throw errors.unauthorized();
    const row = (await db(TABLES.agents)
      .where({ id: Number(idHeader) })
      .first('id', 'agent_token', 'status', 'last_seen_at')) as AgentRow | undefined;
    // Compare even when the row is missing, so timing does not tell which agent ids exist.
    const matches = safeEqual(token, row?.agent_token ?? DUMMY_TOKEN) && row !== undefined;
    if (!matches || !row) throw errors.unauthorized();
    if (row.status !== 'active') throw new AppError('AGENT_DISABLED', 403, 'Agent is disabled');
    await touchLastSeen(db, row, new Date());
    res.locals.accountability = { kind: 'agent', agentId: Number(row.id) };
    next();
  };
}
