// The backup agent's own agent.conf (YAML; C:\ProgramData\E3Backup\agent.conf on Windows) already holds this host's
// enrolled identity. Reading agent_id and agent_token from it spares the admin copying the token by hand, and a
// re-enrolment is picked up at the next start.
import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { AgentConfigError } from './config-error.js';

export interface AgentIdentity {
  agentId: number;
  agentToken: string;
}

const TOKEN = /^[\x21-\x7e]{8,191}$/;

function idOf(value: unknown): number | null {
  // The backup agent writes ids as numbers or as strings, depending on its version.
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^[1-9]\d{0,15}$/.test(text) ? Number(text) : null;
}

export function readBackupAgentIdentity(file: string): AgentIdentity {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (thrown) {
    throw new AgentConfigError(`cannot read config.agent_conf ${file}: ${(thrown as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch {
    throw new AgentConfigError(`config.agent_conf ${file} is not valid YAML`);
  }
  const doc = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const agentId = idOf(doc.agent_id);
  if (agentId === null) throw new AgentConfigError(`config.agent_conf ${file} has no numeric agent_id (is this host enrolled?)`);
  const token = typeof doc.agent_token === 'string' ? doc.agent_token.trim() : '';
  if (!TOKEN.test(token)) throw new AgentConfigError(`config.agent_conf ${file} has no agent_token (is this host enrolled?)`);
  return { agentId, agentToken: token };
}
