// The benchmarks' database: a randomly named MariaDB database laid out like a WHMCS install (the legacy module's
// tables, then our migrations), dropped at the end even when the benchmark fails.
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
