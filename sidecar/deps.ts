// Composition root: builds the logger, the database and the services once and hands them to routes and jobs.
import type { Config } from './config.js';
import { createDb, type Db } from './db/connection.js';
import { createLogger, type Logger } from './lib/log.js';

export interface Deps {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
}

export function createDeps(config: Readonly<Config>, overrides: Partial<Pick<Deps, 'log' | 'db'>> = {}): Deps {
  const log = overrides.log ?? createLogger({ level: config.logLevel, secrets: [config.bridgeSecret, config.bridgeSecretPrevious].filter(Boolean) });
  const db = overrides.db ?? createDb(config.databaseUrl);
  return { config, log, db };
}
