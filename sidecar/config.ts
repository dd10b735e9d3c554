// Environment -> frozen, typed Config. Each bad value names its variable so an operator can fix it at once.
import cron from 'node-cron';
import type { LogLevel } from './lib/log.js';

export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  bridgeSecret: string;
  demoMode: boolean;
  watchdogTimeoutSeconds: number;
  /** node-cron expression for the watchdog; every minute unless an operator (or a test) says otherwise. */
  watchdogSchedule: string;
  logLevel: LogLevel;
  /** Restore starts one client may make per minute (per sidecar instance). */
  restoreStartsPerMinute: number;
  /** Command polls (claims) one agent may make per minute (per sidecar instance). */
  agentPollsPerMinute: number;
  /** Events one agent may post per minute (per sidecar instance), counted per event. */
  agentEventsPerMinute: number;
  /** The bridge secret being rotated out: still accepted until removed (docs/security.md). */
  bridgeSecretPrevious: string;
  /** How long a page of the backup-points listing is reused (docs/performance.md); 0 builds every request afresh. */
  listingCacheMs: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_DATABASE_URL = 'sqlite://./data/sidecar.db';
/** In demo mode an unsigned request acts as this WHMCS client (the demo data belongs to it). */
export const DEMO_CLIENT_ID = 1;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

const DATABASE_URL_FORMS = 'must be mysql://user:pass@host:port/db (optionally ?socket=/abs/path/mysqld.sock) or sqlite:///abs/path.db (or sqlite://./rel.db)';

export function parseDatabaseUrl(url: string): void {
  if (/^sqlite:\/\/.+/.test(url)) return;
  if (!/^(mysql|mariadb):\/\/[^/]+\/[^/?]+/.test(url)) throw new ConfigError('DATABASE_URL', DATABASE_URL_FORMS);
  let params: URLSearchParams;
  try {
    params = new URL(url.replace(/^mariadb:/, 'mysql:')).searchParams;
  } catch {
    throw new ConfigError('DATABASE_URL', `is not a valid URL; ${DATABASE_URL_FORMS}`);
  }
  for (const [name, value] of params) {
    if (name !== 'socket') throw new ConfigError('DATABASE_URL', `has an unknown option "${name}"; ${DATABASE_URL_FORMS}`);
    if (!value.startsWith('/')) throw new ConfigError('DATABASE_URL', `socket must be an absolute path, got "${value}"`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const demoRaw = env.DEMO_MODE ?? '';
  if (!['', '0', '1'].includes(demoRaw)) throw new ConfigError('DEMO_MODE', `must be 1 or 0, got "${demoRaw}"`);
  const demoMode = demoRaw === '1';

  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  parseDatabaseUrl(databaseUrl);

  const host = env.HOST || '127.0.0.1';
  if (demoMode && !LOOPBACK.has(host)) {
    throw new ConfigError('HOST', `demo mode serves one demo client without authentication and listens only on loopback, got "${host}"`);
  }

  const bridgeSecret = env.BRIDGE_SECRET ?? '';
  if (!demoMode && bridgeSecret.length < 32) {
    throw new ConfigError('BRIDGE_SECRET', bridgeSecret ? 'must be at least 32 characters' : 'is required (32+ characters, the same as in the WHMCS module settings)');
  }
  if (demoMode && bridgeSecret !== '' && bridgeSecret.length < 32) {
    throw new ConfigError('BRIDGE_SECRET', 'must be at least 32 characters');
  }

  const bridgeSecretPrevious = env.BRIDGE_SECRET_PREVIOUS ?? '';
  if (bridgeSecretPrevious !== '' && bridgeSecretPrevious.length < 32) {
    throw new ConfigError('BRIDGE_SECRET_PREVIOUS', 'must be at least 32 characters (or unset once the rotation is done)');
  }
  if (bridgeSecretPrevious !== '' && bridgeSecretPrevious === bridgeSecret) {
    throw new ConfigError('BRIDGE_SECRET_PREVIOUS', 'must differ from BRIDGE_SECRET');
  }

  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const watchdogSchedule = env.WATCHDOG_SCHEDULE || '* * * * *';
  if (!cron.validate(watchdogSchedule)) throw new ConfigError('WATCHDOG_SCHEDULE', `must be a cron expression, got "${watchdogSchedule}"`);

  return Object.freeze({
    databaseUrl,
    host,
    port: integer(env, 'PORT', 8787, 0, 65535),
    bridgeSecret,
    demoMode,
    watchdogTimeoutSeconds: integer(env, 'WATCHDOG_TIMEOUT_SECONDS', 720, 30, 7 * 24 * 3600),
    watchdogSchedule,
    logLevel,
    restoreStartsPerMinute: integer(env, 'RATE_LIMIT_RESTORES_PER_MINUTE', 30, 1, 100_000),
    agentPollsPerMinute: integer(env, 'RATE_LIMIT_AGENT_POLLS_PER_MINUTE', 600, 1, 1_000_000),
    agentEventsPerMinute: integer(env, 'RATE_LIMIT_AGENT_EVENTS_PER_MINUTE', 1200, 1, 1_000_000),
    bridgeSecretPrevious,
    listingCacheMs: integer(env, 'LISTING_CACHE_MS', 2000, 0, 60_000),
  });
}
