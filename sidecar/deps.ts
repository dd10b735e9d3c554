// Composition root: builds the logger, the database and the services once and hands them to routes and jobs.
import type { Config } from './config.js';
import { createDb, type Db } from './db/connection.js';
import { createLogger, type Logger } from './lib/log.js';
import { encodedSize, type EncodedJson } from './http/encoded-json.js';
import { createTtlCache, type TtlCache } from './lib/ttl-cache.js';
import { indexSize, type VmListingIndex } from './services/backup-points.js';
import { RunFinishedBus } from './services/run-lifecycle.js';

/** Upper bound on the listing cache's bytes: a few hundred pages of the largest kind. */
const LISTING_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Upper bound on the point ids (and disks) the listing indexes hold: ~16 MiB of ids. */
const LISTING_INDEX_MAX_ITEMS = 2_000_000;

export interface Deps {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
  /** Encoded backup-points answers, by VM and query (ownership is checked before each use). */
  listingCache: TtlCache<EncodedJson>;
  /** Each VM's listed point ids and disks, by filter, kept as long as a page: every page is a slice of it. */
  listingIndexCache: TtlCache<VmListingIndex>;
  /** Every run's end, after its commit (run-lifecycle.ts); subscribe at start. */
  runFinished: RunFinishedBus;
}

export function createDeps(config: Readonly<Config>, overrides: Partial<Pick<Deps, 'log' | 'db'>> = {}): Deps {
  const log = overrides.log ?? createLogger({ level: config.logLevel, secrets: [config.bridgeSecret, config.bridgeSecretPrevious].filter(Boolean) });
  const db = overrides.db ?? createDb(config.databaseUrl);
  const listingCache = createTtlCache({ ttlMs: config.listingCacheMs, maxSize: LISTING_CACHE_MAX_BYTES, sizeOf: encodedSize });
  const listingIndexCache = createTtlCache({ ttlMs: config.listingCacheMs, maxSize: LISTING_INDEX_MAX_ITEMS, sizeOf: indexSize });
  const runFinished = new RunFinishedBus((err, fact) => log.error('a RunFinished subscriber failed', { err, runId: fact.runId }));
  return { config, log, db, listingCache, listingIndexCache, runFinished };
}
