// Process entry: config -> db -> migrations check -> app -> listen; SIGTERM/SIGINT close everything in order.
import type { Server } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { migrate, schemaStatus } from './db/migrate.js';
import { startScheduler, type Scheduler } from './jobs/scheduler.js';
import { watchdogJob } from './jobs/watchdog.js';
import { coerceError } from './lib/errors.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (thrown) {
    if (thrown instanceof ConfigError) {
      process.stderr.write(`sidecar: invalid configuration: ${thrown.message}\n`);
      process.exit(1);
    }
    throw thrown;
  }
  const deps = createDeps(config);
  const { log, db } = deps;
  try {
    // The embedded database belongs to us alone, so it is brought up to date here; a WHMCS database is
    // migrated by the operator (`npm run migrate`) and only checked.
    if (config.databaseUrl.startsWith('sqlite://')) await migrate(db);
    const status = await schemaStatus(db);
    if (status.pending.length) log.warn('database schema is behind: run `npm run migrate`', { pending: status.pending });
  } catch (thrown) {
    log.warn('database not reachable at start; /healthz answers 503 until it is', { err: coerceError(thrown) });
  }
  const app = createApp(deps);
  let scheduler: Scheduler | null = null;
  const server: Server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log.info('sidecar listening', { host: config.host, port, demoMode: config.demoMode });
    // Every instance schedules the watchdog; the lease lets one of them run each tick.
    scheduler = startScheduler(db, log, [watchdogJob(db, log, { timeoutSeconds: config.watchdogTimeoutSeconds, schedule: config.watchdogSchedule, runFinished: deps.runFinished })]);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info('shutting down', { signal });
    const jobsStopped = scheduler?.stop() ?? Promise.resolve();
    server.close(() => {
      void jobsStopped.then(() => db.destroy()).finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 10000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((thrown) => {
  process.stderr.write(`sidecar: ${coerceError(thrown).message}\n`);
  process.exit(1);
});
