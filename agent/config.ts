// The agent's JSON config file: read, validated (ajv) and mapped to a frozen typed config once at start. A bad
// file stops the agent with one clear line naming the field; secrets are never echoed.
// The repository comes with each command from the sidecar; the config's is only a fallback (an older sidecar, the
// engine's own tests). The identity may come from the backup agent's agent.conf instead of this file.
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { JSONSchemaType } from 'ajv';
import type { LogLevel } from '../sidecar/lib/log.js';
import { compileValidator } from '../sidecar/lib/validator.js';
import { readBackupAgentIdentity } from './backup-agent-conf.js';
import { AgentConfigError } from './config-error.js';
import type { RepositoryConnection } from './engine/types.js';

interface RawConfig {
  sidecar_url: string;
  agent_id?: number;
  agent_token?: string;
  /** The backup agent's agent.conf (YAML), to take agent_id and agent_token from. */
  agent_conf?: string;
  kopia_path?: string;
  work_dir: string;
  repository?: {
    type: 'filesystem' | 's3';
    path?: string;
    endpoint?: string;
    bucket?: string;
    prefix?: string;
    access_key_id?: string;
    secret_access_key?: string;
    region?: string;
    disable_tls?: boolean;
  };
  repository_password?: string;
  parallelism?: number;
  poll_interval_seconds?: number;
  path_map?: Record<string, string>;
  allowed_shares?: string[];
  log_level?: LogLevel;
}

export interface AgentConfig {
  sidecarUrl: string;
  agentId: number;
  agentToken: string;
  kopiaPath: string;
  workDir: string;
  /** Fallback for commands without a repository of their own; null when the config names none. */
  repository: RepositoryConnection | null;
  repositoryPassword: string | null;
  parallelism: number;
  pollIntervalMs: number;
  /** Windows path prefix (e.g. `C:\`) -> absolute host folder; used on non-Windows hosts. */
  pathMap: Record<string, string>;
  /** The network shares (`\\server\share`) restores may write to; UNC targets elsewhere are refused. */
  allowedShares: string[];
  logLevel: LogLevel;
}

export { AgentConfigError };

const text = (maxLength = 1024) => ({ type: 'string', minLength: 1, maxLength, nullable: true }) as const;

// Written without ajv's JSONSchemaType: it cannot express the if/then below; RawConfig is the contract.
const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['sidecar_url', 'work_dir'],
  properties: {
    sidecar_url: { type: 'string', pattern: '^https?://[^\\s]+$', maxLength: 2048 },
    agent_id: { type: 'integer', minimum: 1 },
    agent_token: { type: 'string', minLength: 8, maxLength: 191 },
    agent_conf: text(),
    kopia_path: text(),
    work_dir: { type: 'string', minLength: 1, maxLength: 1024 },
    repository: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['filesystem', 's3'] },
        path: text(), endpoint: text(255), bucket: text(255), prefix: { type: 'string', maxLength: 1024, nullable: true },
        access_key_id: text(255), secret_access_key: text(255), region: text(64), disable_tls: { type: 'boolean', nullable: true },
      },
      if: { properties: { type: { const: 's3' } } },
      then: { required: ['endpoint', 'bucket', 'access_key_id', 'secret_access_key'] },
      else: { required: ['path'] },
    },
    repository_password: { type: 'string', minLength: 1, maxLength: 1024 },
    parallelism: { type: 'integer', minimum: 1, maximum: 64, nullable: true },
    poll_interval_seconds: { type: 'number', minimum: 0.1, maximum: 3600, nullable: true },
    path_map: { type: 'object', required: [], additionalProperties: { type: 'string', minLength: 1 }, nullable: true },
    allowed_shares: { type: 'array', maxItems: 256, items: { type: 'string', minLength: 5, maxLength: 1024 }, nullable: true },
    log_level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'], nullable: true },
  },
} as unknown as JSONSchemaType<RawConfig>;

const validate = compileValidator(schema, 'config');

function repositoryOf(r: NonNullable<RawConfig['repository']>): RepositoryConnection {
  if (r.type === 'filesystem') {
    if (!isAbsolute(r.path as string)) throw new AgentConfigError('config.repository.path must be an absolute path');
    return { type: 'filesystem', path: r.path as string };
  }
  return {
    type: 's3', endpoint: r.endpoint as string, bucket: r.bucket as string, prefix: r.prefix ?? undefined,
    accessKeyId: r.access_key_id as string, secretAccessKey: r.secret_access_key as string,
    region: r.region ?? undefined, disableTls: r.disable_tls ?? false,
  };
}

/** agent_id + agent_token from this file, or both from the backup agent's agent.conf: one source, never a mix. */
function identityOf(raw: RawConfig): { agentId: number; agentToken: string } {
  if (raw.agent_conf !== undefined) {
    if (raw.agent_id !== undefined || raw.agent_token !== undefined) {
      throw new AgentConfigError('config.agent_conf names where agent_id and agent_token come from: leave them out of this file');
    }
    return readBackupAgentIdentity(raw.agent_conf);
  }
  if (raw.agent_id === undefined) throw new AgentConfigError('config.agent_id is required (or config.agent_conf)');
  if (raw.agent_token === undefined) throw new AgentConfigError('config.agent_token is required (or config.agent_conf)');
  return { agentId: raw.agent_id, agentToken: raw.agent_token };
}

function fallbackRepositoryOf(raw: RawConfig): Pick<AgentConfig, 'repository' | 'repositoryPassword'> {
  if ((raw.repository === undefined) !== (raw.repository_password === undefined)) {
    throw new AgentConfigError('config.repository and config.repository_password go together: give both or neither');
  }
  return raw.repository ? { repository: repositoryOf(raw.repository), repositoryPassword: raw.repository_password! } : { repository: null, repositoryPassword: null };
}

function checkPathMap(map: Record<string, string>): void {
  for (const [from, to] of Object.entries(map)) {
    if (!/^([A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)/.test(from)) {
      throw new AgentConfigError(`config.path_map key "${from}" must be a Windows drive path such as C:\\ or a share such as \\\\server\\share`);
    }
    if (!isAbsolute(to)) throw new AgentConfigError(`config.path_map["${from}"] must be an absolute folder on this host`);
  }
}

const SHARE = /^\\\\[^\\/:*?"<>|]+\\[^\\/:*?"<>|]+\\?$/;

/** Each entry a bare `\\server\share` (a trailing backslash is dropped). */
function allowedSharesOf(shares: string[]): string[] {
  return shares.map((share) => {
    if (!SHARE.test(share)) throw new AgentConfigError(`config.allowed_shares entry "${share}" must be a share such as \\\\server\\share (no folder inside it)`);
    return share.replace(/\\$/, '');
  });
}

export function parseAgentConfig(input: unknown): Readonly<AgentConfig> {
  const result = validate(input);
  if (!result.ok) throw new AgentConfigError(result.message);
  const raw = result.value;
  try {
    new URL(raw.sidecar_url);
  } catch {
    throw new AgentConfigError('config.sidecar_url must be a valid http(s) URL');
  }
  if (!isAbsolute(raw.work_dir)) throw new AgentConfigError('config.work_dir must be an absolute path');
  checkPathMap(raw.path_map ?? {});
  const fallback = fallbackRepositoryOf(raw);
  return Object.freeze({
    sidecarUrl: raw.sidecar_url.replace(/\/+$/, ''),
    ...identityOf(raw),
    kopiaPath: raw.kopia_path ?? 'kopia',
    workDir: raw.work_dir,
    ...fallback,
    parallelism: raw.parallelism ?? 16,
    pollIntervalMs: Math.round((raw.poll_interval_seconds ?? 5) * 1000),
    pathMap: { ...(raw.path_map ?? {}) },
    allowedShares: allowedSharesOf(raw.allowed_shares ?? []),
    logLevel: raw.log_level ?? 'info',
  });
}

export function loadAgentConfig(file: string): Readonly<AgentConfig> {
  let textContent: string;
  try {
    textContent = readFileSync(file, 'utf8');
  } catch (thrown) {
    throw new AgentConfigError(`cannot read ${file}: ${(thrown as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(textContent);
  } catch {
    throw new AgentConfigError(`${file} is not valid JSON`);
  }
  return parseAgentConfig(parsed);
}

/** Every secret of the config, for the logger's value redaction. */
export function configSecrets(config: AgentConfig): string[] {
  const out = [config.agentToken, config.repositoryPassword ?? ''];
  if (config.repository?.type === 's3') out.push(config.repository.secretAccessKey, config.repository.accessKeyId);
  return out.filter(Boolean);
}
