// JSON-lines logger over pino, shared by the sidecar and the agent. Redaction happens here, not at call sites, so
// a secret passed by mistake never reaches a log: pino's path-based redaction for fields named like secrets, and
// the values registered as secrets (config secrets at start, a run's own with `addSecret`) wherever they appear.
// pino writes synchronously to stdout, without a worker-thread transport, so the bundled agent keeps working.
import { pino, type DestinationStream, type Logger as Pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const REDACTED = '[redacted]';
/** Field names whose values are secrets, redacted at the top level and one object down (e.g. `headers`). */
const SECRET_FIELDS = [
  'token', 'agentToken', 'password', 'passwd', 'repositoryPassword', 'secret', 'bridgeSecret', 'secretAccessKey',
  'accessKeyId', 'accessKey', 'signature', 'authorization', 'cookie', 'credentials', 'x-agent-token',
  'x-bridge-signature',
];
const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_]\w*$/.test(field) ? field : `["${field}"]`;
  return [key, key.startsWith('[') ? `*${key}` : `*.${key}`];
});
/** Shorter values would redact ordinary words and numbers out of every line. */
const MIN_SECRET_LENGTH = 6;

// The interface keeps our (message, fields) order: the sidecar, the agent and tests are written against it, and
// tests hand the agent's modules a memory logger through it.
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(scope: LogFields): Logger;
  /**
   * Redacts `value` from every line this logger, its parent and its children write from now on (a run's repository
   * password and S3 keys, known only when its command arrives). Returns the function that stops it; a value added
   * twice stays redacted until both are stopped.
   */
  addSecret(value: string): () => void;
}

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  /** Values that must never appear in a log line, whatever key carries them (e.g. the bridge secret). */
  secrets?: readonly string[];
}

/** The values being redacted, by how many registrations hold each. */
type SecretCounts = Map<string, number>;

function addSecretTo(secrets: SecretCounts, value: string): () => void {
  if (value.length < MIN_SECRET_LENGTH) return () => undefined;
  secrets.set(value, (secrets.get(value) ?? 0) + 1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    const left = (secrets.get(value) ?? 1) - 1;
    if (left > 0) secrets.set(value, left);
    else secrets.delete(value);
  };
}

// pino redacts by path only; a secret's value under any other key or inside a message (an error text quoting a
// command line) is found in the finished line, where it appears JSON-escaped.
function scrubValues(line: string, secrets: SecretCounts): string {
  let out = line;
  for (const value of secrets.keys()) out = out.split(JSON.stringify(value).slice(1, -1)).join(REDACTED);
  return out;
}

/** An error as name, message and code: a stack or an execa error's own fields (stdout, command) stay out. */
function errorFields(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
}

function wrap(log: Pino, secrets: SecretCounts): Logger {
  // The message goes in as the first field, so a line reads level, time, scope, msg, fields (pino would put it last).
  return {
    debug: (msg, fields) => log.debug({ msg, ...fields }),
    info: (msg, fields) => log.info({ msg, ...fields }),
    warn: (msg, fields) => log.warn({ msg, ...fields }),
    error: (msg, fields) => log.error({ msg, ...fields }),
    child: (scope) => wrap(log.child(scope), secrets),
    addSecret: (value) => addSecretTo(secrets, value),
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets: SecretCounts = new Map();
  for (const value of options.secrets ?? []) addSecretTo(secrets, value);
  const write = options.write;
  const destination: DestinationStream = write
    ? { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) }
    : pino.destination({ dest: 1, sync: true });
  const log = pino({
    level: options.level ?? 'info',
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: errorFields },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: { streamWrite: (line) => (secrets.size ? scrubValues(line, secrets) : line) },
  }, destination);
  return wrap(log, secrets);
}

/** A logger that keeps its lines in memory: tests read it to prove what was (not) logged. */
export function createMemoryLogger(level: LogLevel = 'debug', secrets: string[] = []): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ level, secrets, write: (l) => lines.push(l) }), lines };
}
