// JSON-lines logger. Redaction happens here, not at call sites, so a secret passed by mistake never reaches a log.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /token|password|passwd|secret|signature|authorization|access[-_]?key|credential|cookie/i;
const REDACTED = '[redacted]';

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(scope: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  /** Values that must never appear in a log line, whatever key carries them (e.g. the bridge secret). */
  secrets?: string[];
}

export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') {
    return secrets.reduce((text, s) => (s.length >= 6 ? text.split(s).join(REDACTED) : text), value);
  }
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, secrets, depth + 1), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, secrets, depth + 1);
    }
    return out;
  }
  return value;
}

export function createLogger(options: LoggerOptions = {}, scope: LogFields = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const secrets = options.secrets ?? [];
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    const record = redact({ time: new Date().toISOString(), level, msg, ...scope, ...fields }, secrets);
    write(JSON.stringify(record));
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (more) => createLogger(options, { ...scope, ...more }),
  };
}

/** A logger that keeps its lines in memory: tests read it to prove what was (not) logged. */
export function createMemoryLogger(level: LogLevel = 'debug', secrets: string[] = []): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ level, secrets, write: (l) => lines.push(l) }), lines };
}
