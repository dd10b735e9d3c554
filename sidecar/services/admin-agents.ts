// Agents of all clients with their last-seen time and online state, for the WHMCS admin.
import type { Knex } from 'knex';
import type { AdminAgentsQuery } from '../schemas/admin.js';
import type { AdminAccountability } from './accountability.js';
import { TABLES } from '../db/tables.js';
import { agentPresence } from './agent-presence.js';

export { AGENT_ONLINE_SECONDS } from './agent-presence.js';

export interface AdminAgent {
  id: number;
  clientId: number;
  hostname: string | null;
  status: string;
  lastSeenAt: string | null;
  online: boolean;
  activeRestores: number;
}

export async function listAdminAgents(db: Knex, _who: AdminAccountability, filters: AdminAgentsQuery, now: Date = new Date()): Promise<AdminAgent[]> {
  const q = db({ a: TABLES.agents })
    .select('a.id', 'a.client_id', 'a.hostname', 'a.status', 'a.last_seen_at')
    .select(db.raw(
      `(SELECT COUNT(*) FROM ${TABLES.runs} r WHERE r.agent_id = a.id AND r.run_type = 'hyperv_restore' AND r.status IN ('queued','starting','running')) AS active_restores`,
    ))
    .orderBy('a.id', 'asc');
  if (filters.client_id) q.where('a.client_id', filters.client_id);
  const rows = (await q) as Record<string, unknown>[];
  return rows.map((r) => {
    const status = String(r.status);
    return {
      id: Number(r.id),
      clientId: Number(r.client_id),
      hostname: r.hostname === null || r.hostname === undefined ? null : String(r.hostname),
      status,
      ...agentPresence(status, r.last_seen_at, now),
      activeRestores: Number(r.active_restores ?? 0),
    };
  });
}
