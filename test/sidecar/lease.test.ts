import assert from 'node:assert/strict';
import { releaseLease, runExclusive, tryAcquireLease } from '../../sidecar/db/lease.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/database.js';

describe('Leases (one instance runs a periodic job)', function () {
  for (const dialect of testDialects()) {
    describe(dialect, function () {
      let t: TestDatabase;
      before(async () => { t = await createTestDatabase(dialect); });
      after(async () => t.drop());

      it('Can be held by one instance at a time, even when instances race for it', async () => {
        const results = await Promise.all(['a', 'b', 'c', 'd'].map((holder) => tryAcquireLease(t.db, 'race', 60, holder)));
        assert.equal(results.filter(Boolean).length, 1);
      });

      it('Can be taken over once it has expired, and released by its holder', async () => {
        const past = new Date(Date.now() - 120_000);
        assert.equal(await tryAcquireLease(t.db, 'expiring', 60, 'old', past), true);
        assert.equal(await tryAcquireLease(t.db, 'expiring', 60, 'new'), true, 'expired lease taken over');
        assert.equal(await tryAcquireLease(t.db, 'expiring', 60, 'old'), false);
        await releaseLease(t.db, 'expiring', 'new');
        assert.equal(await tryAcquireLease(t.db, 'expiring', 60, 'old'), true);
      });

      it('Cannot run a job twice when two instances fire at once', async () => {
        let runs = 0;
        const job = async () => { runs++; await new Promise((r) => setTimeout(r, 50)); };
        await Promise.all([runExclusive(t.db, 'job', 60, job, 'x'), runExclusive(t.db, 'job', 60, job, 'y')]);
        assert.equal(runs, 1);
      });
    });
  }
});
