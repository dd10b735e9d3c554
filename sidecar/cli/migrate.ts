// `npm run migrate`: brings DATABASE_URL's database up to date. Safe to run any number of times.
import { ConfigError, DEFAULT_DATABASE_URL, parseDatabaseUrl } from '../config.js';
import { createDb } from '../db/connection.js';
import { migrate, schemaStatus } from '../db/migrate.js';
import { coerceError } from '../lib/errors.js';

async function run(): Promise<void> {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  parseDatabaseUrl(url);
  const db = createDb(url, { queryTimeoutMs: 0 }); // a schema change on a big table may take minutes
  try {
    const ran = await migrate(db);
    const status = await schemaStatus(db);
    process.stdout.write(
      JSON.stringify({ msg: ran.length ? 'migrations applied' : 'database already up to date', applied: ran, schema_version: status.version }) + '\n',
    );
  } finally {
    await db.destroy();
  }
}

run().catch((thrown) => {
  const err = coerceError(thrown);
  process.stderr.write(`migrate: ${err instanceof ConfigError ? err.message : err.message}\n`);
  process.exit(1);
});
