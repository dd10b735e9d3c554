// The Hyper-V hosts a VM can be restored to: the active agents of the VM's client. An agent belongs to a client by
// s3_cloudbackup_agents.client_id and is usable when its status is 'active', as the backup module decides both (the
// claim's agent-auth refuses any other status). The job's own agent comes first: it is the default.
import type { Knex } from 'knex';
import { TABLES } from '../db/tables.js';
import { errors } from '../lib/errors.js';
import type { ClientScope } from './accountability.js';
import { agentPresence } from './agent-presence.js';

export interface RestoreHost {
  agentId: number;
  /** The name the agent reported for its host; null when it never did. */
  hostname: string | null;
  online: boolean;
  lastSeenAt: string | null;
  /** The agent of the VM's job (backs the VM up). */
  jobAgent: boolean;
}

interface HostRow {
  id: number | string;
  hostname: string | null;
  last_seen_at: unknown;
}

function activeAgents(db: Knex, scope: ClientScope) {
  return db(TABLES.agents).where({ client_id: scope.clientId, status: 'active' });
}

export async function listRestoreHosts(db: Knex, scope: ClientScope, jobAgentId: number | null, now: Date = new Date()): Promise<RestoreHost[]> {
  const rows = (await activeAgents(db, scope).orderBy('id').select('id', 'hostname', 'last_seen_at')) as HostRow[];
  const hosts = rows.map((r) => ({
    agentId: Number(r.id), hostname: typeof r.hostname === 'string' && r.hostname.trim() !== '' ? r.hostname : null,
    ...agentPresence('active', r.last_seen_at, now), jobAgent: Number(r.id) === jobAgentId,
  }));
  return [...hosts.filter((h) => h.jobAgent), ...hosts.filter((h) => !h.jobAgent)];
}

/** The chosen host when it is an active agent of this client; anything else answers like a missing agent. */
export async function requireRestoreHost(db: Knex, scope: ClientScope, agentId: number): Promise<number> {
  const row = (await activeAgents(db, scope).where('id', agentId).first('id')) as { id: number | string } | undefined;
  if (!row) throw errors.agentNotFound();
  return Number(row.id);
}
