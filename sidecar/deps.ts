// Composition root: builds the logger, the database and the services once and hands them to routes and jobs.
import type { Config } from './config.js';
import { createDb, type Db } from './db/connection.js';
import { createLogger, type Logger } from './lib/log.js';
import { createSerializedCache, type SerializedCache } from './lib/serialized-cache.js';

/** Upper bound on the listing cache's bytes: a few hundred pages of the largest kind. */
const LISTING_CACHE_MAX_BYTES = 64 * 1024 * 1024;

export interface Deps {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
  /** Serialised backup-points pages, shared by the requests of all clients (ownership is checked before each use). */
  listingCache: SerializedCache;
}

export function createDeps(config: Readonly<Config>, overrides: Partial<Pick<Deps, 'log' | 'db'>> = {}): Deps {
  const log = overrides.log ?? createLogger({ level: config.logLevel, secrets: [config.bridgeSecret, config.bridgeSecretPrevious].filter(Boolean) });
  const db = overrides.db ?? createDb(config.databaseUrl);
  const listingCache = createSerializedCache({ ttlMs: config.listingCacheMs, maxBytes: LISTING_CACHE_MAX_BYTES });
  return { config, log, db, listingCache };
}
