// The demo data behind `npm run demo`: a client with an agent, a Hyper-V job, a two-disk VM and a Full + two
// Incremental points that the client API lists as restorable; seeding again changes nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { seedDemoClient } from '../../sidecar/demo/seed-demo-client.js';
import { createTtlCache } from '../../sidecar/lib/ttl-cache.js';
import { clientAccountability } from '../../sidecar/services/accountability.js';
import { indexSize, listVmPoints, requireClientVm } from '../../sidecar/services/backup-points.js';
import { createTestDatabase, testDialects } from '../helpers/database.js';
import { snapshotTables } from '../helpers/fixtures.js';
import { projectPath } from '../helpers/paths.js';

const run = promisify(execFile);

describe('Demo seed', function () {
  for (const dialect of testDialects()) {
    it(`Can seed the demo client once, however often it runs (${dialect})`, async () => {
      const t = await createTestDatabase(dialect);
      const first = await seedDemoClient(t.db, { clientId: 1 });
      const before = await snapshotTables(t.db);
      const second = await seedDemoClient(t.db, { clientId: 1 });
      assert.deepEqual(second, first);
      assert.deepEqual(await snapshotTables(t.db), before);
      const vm = await requireClientVm(t.db, clientAccountability(1), first.vmId);
      const uncached = createTtlCache({ ttlMs: 0, maxSize: 0, sizeOf: indexSize });
      const listed = await listVmPoints(t.db, uncached, vm, { vm_id: first.vmId, limit: 50, offset: 0 });
      assert.deepEqual(listed.backup_points.map((p) => [p.backup_type, p.is_restorable, p.restore_chain_length]),
        [['Incremental', true, 3], ['Incremental', true, 2], ['Full', true, 1]]);
      assert.deepEqual(listed.disks.map((d) => d.disk_path), first.diskPaths);
      await t.drop();
    });
  }

  it('Can replace placeholder manifests with real ones given on a later run', async () => {
    const t = await createTestDatabase('sqlite');
    const first = await seedDemoClient(t.db, { clientId: 1 });
    const real = (i: number) => Object.fromEntries(first.diskPaths.map((p, d) => [p, `${i}${d}`.padEnd(32, 'f')]));
    await seedDemoClient(t.db, { clientId: 1, points: [{ backupType: 'Full', diskManifests: real(0) }, { backupType: 'Incremental', diskManifests: real(1) }, { backupType: 'Incremental', diskManifests: real(2) }] });
    const rows = (await t.db('s3_hyperv_backup_points').orderBy('id')) as { disk_manifests: string; manifest_id: string }[];
    assert.equal(rows.length, 3);
    assert.deepEqual(JSON.parse(rows[2]!.disk_manifests), real(2));
    assert.equal(rows[0]!.manifest_id, Object.values(real(0))[0]);
    await t.drop();
  });

  it('Can run as a command that migrates, seeds and writes the agent credentials to a private file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvr-seed-'));
    try {
      const env = { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite://${join(dir, 'demo.db')}` };
      const out = join(dir, 'seed.json');
      const { stdout } = await run(process.execPath, [projectPath('dist/sidecar/cli/demo-seed.js'), '--out', out], { env });
      await run(process.execPath, [projectPath('dist/sidecar/cli/demo-seed.js'), '--out', out], { env });
      const seeded = JSON.parse(readFileSync(out, 'utf8')) as { clientId: number; agentToken: string; backupPointIds: number[] };
      assert.equal(seeded.clientId, 1);
      assert.deepEqual(seeded.backupPointIds, [1, 2, 3]);
      assert.ok(!stdout.includes(seeded.agentToken), 'the agent token is not printed');
      assert.equal(statSync(out).mode & 0o077, 0, 'only the owner can read the credentials');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
