// Whether an agent is online: the one rule the admin's agent list and the wizard's host choice both show.
import { fromDbTime } from '../db/dialect.js';

/** An agent polls every few seconds; two minutes without a call means it is not running (or cannot reach us). */
export const AGENT_ONLINE_SECONDS = 120;

export interface AgentPresence {
  lastSeenAt: string | null;
  online: boolean;
}

export function agentPresence(status: string, lastSeen: unknown, now: Date): AgentPresence {
  const seen = fromDbTime(lastSeen);
  return {
    lastSeenAt: seen?.toISOString() ?? null,
    online: status === 'active' && seen !== null && now.getTime() - seen.getTime() <= AGENT_ONLINE_SECONDS * 1000,
  };
}
