// `node dist/sidecar/cli/demo-seed.js [--points FILE] [--repository FILE] [--out FILE]`: migrates the database named
// by DATABASE_URL and seeds the demo client (DEMO_CLIENT_ID); --repository (demo-prepare's repository.json) records
// the demo job's storage as the cloudstorage module would. FILE for --points holds real kopia manifest ids:
// {"diskPaths": ["C:\\VMs\\os.vhdx", "C:\\VMs\\data.vhdx"], "diskSizes": [bytes, bytes], "points": [{"backupType": "Full", "diskManifests": {...}}, ...]}
// (oldest point first). --out writes the seeded ids and the demo agent's credentials for the agent config.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL, DEMO_CLIENT_ID, parseDatabaseUrl } from '../config.js';
import { createDb } from '../db/connection.js';
import { migrate } from '../db/migrate.js';
import { readRepositoryFile } from '../demo/prepare-demo-disks.js';
import { seedDemoClient, type DemoPointInput } from '../demo/seed-demo-client.js';
import { seedDemoStorage } from '../demo/seed-demo-storage.js';
import { coerceError } from '../lib/errors.js';

interface PointsFile {
  diskPaths?: [string, string];
  diskSizes?: [number, number];
  points?: DemoPointInput[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { points: { type: 'string' }, repository: { type: 'string' }, out: { type: 'string' } } });
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  parseDatabaseUrl(url);
  const file = values.points ? (JSON.parse(readFileSync(values.points, 'utf8')) as PointsFile) : {};
  const repository = values.repository ? readRepositoryFile(values.repository) : null;
  if (values.repository && !repository) throw new Error(`${values.repository} does not describe the demo repository: prepare the demo disks again`);
  const db = createDb(url);
  try {
    await migrate(db);
    const result = await seedDemoClient(db, { clientId: DEMO_CLIENT_ID, points: file.points, diskPaths: file.diskPaths, ...(file.diskSizes ? { diskSizes: file.diskSizes } : {}) });
    if (repository) await seedDemoStorage(db, result.jobId, repository);
    if (values.out) {
      mkdirSync(dirname(values.out), { recursive: true });
      writeFileSync(values.out, JSON.stringify(result, null, 2) + '\n', { mode: 0o600 });
    }
    // The agent token is a credential: it goes to the --out file (mode 600), never to the terminal.
    process.stdout.write(`[demo] seeded ${JSON.stringify({ ...result, agentToken: undefined })}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((thrown) => {
  process.stderr.write(`demo-seed: ${coerceError(thrown).message}\n`);
  process.exit(1);
});
