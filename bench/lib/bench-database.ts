// The benchmarks' database: a randomly named MariaDB database laid out like a WHMCS install (the legacy module's
// tables, then our migrations), dropped at the end even when the benchmark fails.
import { existsSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { progress } from './report.js';

export async function withBenchDatabase<T>(run: (database: TestDatabase) => Promise<T>): Promise<T> {
  const database = await createTestDatabase('mariadb', { legacy: true });
  const drop = () => { void database.drop().finally(() => process.exit(130)); };
  process.once('SIGINT', drop);
  try {
    return await run(database);
  } finally {
    process.off('SIGINT', drop);
    await database.drop();
    progress('benchmark database dropped');
  }
}

/**
 * The URL the benchmarked sidecar uses: the server's Unix socket when it is on this machine (how a WHMCS host
 * usually reaches its local MariaDB), loopback TCP with `--tcp` (BENCH_DB_TCP=1) or when there is no socket.
 */
export async function sidecarDatabaseUrl(database: TestDatabase): Promise<{ url: string; transport: string }> {
  const [[row]] = (await database.db.raw('SELECT @@socket AS socket')) as [{ socket: string | null }[]];
  const wantTcp = process.argv.includes('--tcp') || process.env.BENCH_DB_TCP === '1';
  const url = new URL(database.url);
  const local = ['127.0.0.1', 'localhost', '::1'].includes(url.hostname);
  if (wantTcp || !local || !row?.socket || !existsSync(row.socket)) return { url: database.url, transport: `tcp ${url.host}` };
  url.host = 'localhost';
  url.searchParams.set('socket', row.socket);
  return { url: url.toString(), transport: `unix socket ${row.socket}` };
}
