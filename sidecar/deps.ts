// Composition root: builds the logger, the database and the services once and hands them to routes and jobs.
import type { Config } from './config.js';
import { createDb, type Db } from './db/connection.js';
import { createLogger, type Logger } from './lib/log.js';
import { encodedSize, type EncodedJson } from './http/encoded-json.js';
import { createTtlCache, type TtlCache } from './lib/ttl-cache.js';

/** Upper bound on the listing cache's bytes: a few hundred pages of the largest kind. */
const LISTING_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Upper bound on the point ids held (8 bytes each in a packed array: ~16 MiB). */
const POINT_ID_CACHE_IDS = 2_000_000;

export interface Deps {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
  /** Encoded backup-points answers, by VM and query (ownership is checked before each use). */
  listingCache: TtlCache<EncodedJson>;
  /** Each VM's listed point ids, newest first, by filter, kept as long as a page: every page is a slice of it. */
  pointIdCache: TtlCache<number[]>;
}

export function createDeps(config: Readonly<Config>, overrides: Partial<Pick<Deps, 'log' | 'db'>> = {}): Deps {
  const log = overrides.log ?? createLogger({ level: config.logLevel, secrets: [config.bridgeSecret, config.bridgeSecretPrevious].filter(Boolean) });
  const db = overrides.db ?? createDb(config.databaseUrl);
  const listingCache = createTtlCache({ ttlMs: config.listingCacheMs, maxSize: LISTING_CACHE_MAX_BYTES, sizeOf: encodedSize });
  const pointIdCache = createTtlCache<number[]>({ ttlMs: config.listingCacheMs, maxSize: POINT_ID_CACHE_IDS, sizeOf: (ids) => ids.length });
  return { config, log, db, listingCache, pointIdCache };
}
