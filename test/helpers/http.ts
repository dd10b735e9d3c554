// Builds the app on a test database and signs requests exactly as the PHP bridge does (contract: canonical string
// over timestamp, nonce, method, path+query, client id, admin id, sha256 of the raw body).
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type { Test } from 'supertest';
import { createApp } from '../../sidecar/app.js';
import { loadConfig, type Config } from '../../sidecar/config.js';
import type { Db } from '../../sidecar/db/connection.js';
import { createDeps, type Deps } from '../../sidecar/deps.js';
import { sign } from '../../sidecar/lib/hmac.js';
import { createMemoryLogger } from '../../sidecar/lib/log.js';
import { createTestDatabase, type Dialect, type TestDatabase } from './database.js';
import { seedFixtures, type Fixtures } from './fixtures.js';

export const TEST_BRIDGE_SECRET = 'test-bridge-secret-0123456789-abcdefghij';

export interface TestApp {
  app: Express;
  deps: Deps;
  db: Db;
  config: Readonly<Config>;
  database: TestDatabase;
  /** Log lines written while the app ran (JSON strings). */
  logLines(): string[];
  drop(): Promise<void>;
}

export async function createTestApp(dialect: Dialect, env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const database = await createTestDatabase(dialect);
  return createTestAppOn(database, env);
}

export function createTestAppOn(database: TestDatabase, env: NodeJS.ProcessEnv = {}): TestApp {
  // Rate limits out of the way unless a test sets them: suites send far more requests per client than a person would.
  const config = loadConfig({
    BRIDGE_SECRET: TEST_BRIDGE_SECRET, DATABASE_URL: database.url, LOG_LEVEL: 'debug',
    RATE_LIMIT_RESTORES_PER_MINUTE: '100000', RATE_LIMIT_AGENT_POLLS_PER_MINUTE: '1000000', ...env,
  });
  const memory = createMemoryLogger();
  const deps = createDeps(config, { db: database.db, log: memory.log });
  return {
    app: createApp(deps), deps, db: database.db, config, database,
    logLines: () => memory.lines,
    drop: () => database.drop(),
  };
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface SignOptions {
  method?: Method;
  /** Exactly the request target the sidecar receives, e.g. `/api/hyperv/backup-points?vm_id=7`. */
  path: string;
  clientId?: number | string;
  adminId?: number | string;
  /** An object is sent as JSON, a string as it is (set `contentType` for forms). */
  body?: unknown;
  contentType?: string;
  secret?: string;
  timestamp?: number;
  nonce?: string;
}

export interface SignedHeaders {
  'X-Bridge-Timestamp': string;
  'X-Bridge-Nonce': string;
  'X-Bridge-Client-Id': string;
  'X-Bridge-Admin-Id': string;
  'X-Bridge-Signature': string;
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function encodeBody(body: unknown): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** The headers the bridge sends for this request. */
export function bridgeHeaders(o: SignOptions): SignedHeaders {
  const headers = {
    'X-Bridge-Timestamp': String(o.timestamp ?? Math.floor(Date.now() / 1000)),
    'X-Bridge-Nonce': o.nonce ?? newNonce(),
    'X-Bridge-Client-Id': o.clientId === undefined ? '' : String(o.clientId),
    'X-Bridge-Admin-Id': o.adminId === undefined ? '' : String(o.adminId),
  };
  const signature = sign(o.secret ?? TEST_BRIDGE_SECRET, {
    timestamp: headers['X-Bridge-Timestamp'], nonce: headers['X-Bridge-Nonce'], method: o.method ?? 'GET',
    pathAndQuery: o.path, clientId: headers['X-Bridge-Client-Id'], adminId: headers['X-Bridge-Admin-Id'], body: encodeBody(o.body),
  });
  return { ...headers, 'X-Bridge-Signature': signature };
}

/** A supertest request signed like the bridge; `headers` overrides (or tampers with) what was signed. */
export function signedRequest(app: Express | string, o: SignOptions, headers: Partial<Record<string, string>> = {}): Test {
  const method = o.method ?? 'GET';
  const agent = request(app);
  const test = method === 'GET' ? agent.get(o.path) : method === 'POST' ? agent.post(o.path)
    : method === 'PUT' ? agent.put(o.path) : method === 'PATCH' ? agent.patch(o.path) : agent.delete(o.path);
  test.set({ ...bridgeHeaders(o), ...headers } as Record<string, string>);
  if (o.body !== undefined) {
    const isText = typeof o.body === 'string';
    test.set('Content-Type', o.contentType ?? (isText ? 'application/x-www-form-urlencoded' : 'application/json'));
    test.send(encodeBody(o.body));
  }
  return test;
}

/** Shorthands for the client API. */
export const clientGet = (app: Express, clientId: number, path: string): Test => signedRequest(app, { path, clientId });
export const clientPost = (app: Express, clientId: number, path: string, body: unknown = {}, contentType?: string): Test =>
  signedRequest(app, { method: 'POST', path, clientId, body, contentType });

/**
 * The setup most API suites share: before them, an app on a fresh database seeded with the two-client fixtures
 * (handed over through `use`); after them, the database dropped.
 */
export function seededApp(dialect: Dialect, use: (t: TestApp, f: Fixtures) => void, env: NodeJS.ProcessEnv = {}): void {
  let t: TestApp | undefined;
  before(async () => {
    t = await createTestApp(dialect, env);
    use(t, await seedFixtures(t.db));
  });
  after(() => t?.drop());
}
