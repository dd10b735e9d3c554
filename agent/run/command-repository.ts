// Which repository a command restores from: the one the sidecar resolved for the command's job (each job has its
// own bucket, prefix and keys), or, for a command without one (an older sidecar), the config's fallback.
import { isAbsolute } from 'node:path';
import { validateCommandRepository, type ClaimedCommand, type CommandRepository } from '../../sidecar/schemas/agent.js';
import type { AgentConfig } from '../config.js';
import type { RepositoryConnection } from '../engine/types.js';

export interface CommandConnection {
  repository: RepositoryConnection;
  password: string;
  source: 'command' | 'config';
  /** Every value of it that must never be logged or sent anywhere. */
  secrets: string[];
}

function fromWire(r: CommandRepository): RepositoryConnection {
  if (r.type === 'filesystem') return { type: 'filesystem', path: r.path };
  return {
    type: 's3', endpoint: r.endpoint, bucket: r.bucket, prefix: r.prefix || undefined, accessKeyId: r.access_key_id,
    secretAccessKey: r.secret_access_key, region: r.region || undefined, disableTls: r.disable_tls,
  };
}

function secretsOf(repository: RepositoryConnection, password: string): string[] {
  return repository.type === 's3' ? [password, repository.secretAccessKey, repository.accessKeyId] : [password];
}

/** The connection, or the reason the command cannot be restored from anywhere. */
export function commandConnection(command: ClaimedCommand, config: Pick<AgentConfig, 'repository' | 'repositoryPassword'>): CommandConnection | string {
  if (command.repository !== undefined) {
    const checked = validateCommandRepository(command.repository);
    if (!checked.ok) return `the sidecar sent an unusable repository: ${checked.message}`;
    const repository = fromWire(checked.value);
    if (repository.type === 'filesystem' && !isAbsolute(repository.path)) return 'the sidecar sent a filesystem repository whose path is not absolute on this host';
    return { repository, password: checked.value.password, source: 'command', secrets: secretsOf(repository, checked.value.password) };
  }
  if (config.repository && config.repositoryPassword) {
    return { repository: config.repository, password: config.repositoryPassword, source: 'config', secrets: secretsOf(config.repository, config.repositoryPassword) };
  }
  return 'the command carries no repository and the agent config names none (update the sidecar, or set repository in the config)';
}
