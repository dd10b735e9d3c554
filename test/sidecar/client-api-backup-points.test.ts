import assert from 'node:assert/strict';
import { testDialects } from '../helpers/database.js';
import { insertChain, insertPoint, insertVm, withoutForeignKeys, type Fixtures } from '../helpers/fixtures.js';
import { clientGet, createTestAppOn, seededApp, type TestApp } from '../helpers/http.js';

interface PointOut {
  id: number;
  backup_type: string;
  restore_chain: { backup_point_id: number }[];
  restore_chain_length: number;
  is_restorable: boolean;
  not_restorable_reason: string | null;
  has_warnings: boolean;
  created_at: string;
}

const ids = (points: PointOut[]) => points.map((p) => p.id);
const fail = (message: string) => ({ status: 'fail', message });

for (const dialect of testDialects()) {
  describe(`GET /api/hyperv/backup-points (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    const points = (clientId: number, query: string) => clientGet(t.app, clientId, `/api/hyperv/backup-points${query ? '?' + query : ''}`);
    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });

    it('Can list restore points newest first, each with its restore chain', async () => {
      const res = await points(f.a.clientId, `vm_id=${f.a.vmId}`).expect(200);
      const [full, i1, i2] = [f.a.fullPointId, ...f.a.incrementalPointIds];
      assert.equal(res.body.status, 'success');
      assert.deepEqual(res.body.vm, { id: f.a.vmId, vm_name: 'web-a', vm_guid: res.body.vm.vm_guid, generation: 2, is_linux: false, rct_enabled: true, backup_enabled: true, job_id: f.a.jobId, job_name: 'Hyper-V a' });
      assert.deepEqual(ids(res.body.backup_points), [i2, i1, full]);
      assert.deepEqual(res.body.backup_points.map((p: PointOut) => p.restore_chain.map((m) => m.backup_point_id)), [[full, i1, i2], [full, i1], [full]]);
      assert.deepEqual(res.body.backup_points.map((p: PointOut) => p.restore_chain_length), [3, 2, 1]);
      assert.ok(res.body.backup_points.every((p: PointOut) => p.is_restorable && p.not_restorable_reason === null));
      assert.deepEqual([res.body.total, res.body.limit, res.body.offset], [3, 50, 0]);
      assert.equal(res.body.disks.length, 2);
      assert.equal(res.body.backup_points[0].created_at, '2026-11-01T00:12:00.000Z');
    });

    it('Can page and filter by type', async () => {
      const page1 = await points(f.a.clientId, `vm_id=${f.a.vmId}&limit=2`).expect(200);
      const page2 = await points(f.a.clientId, `vm_id=${f.a.vmId}&limit=2&offset=2`).expect(200);
      assert.deepEqual(ids(page1.body.backup_points), [f.a.incrementalPointIds[1], f.a.incrementalPointIds[0]]);
      assert.deepEqual(ids(page2.body.backup_points), [f.a.fullPointId]);
      assert.deepEqual([page2.body.total, page2.body.limit, page2.body.offset], [3, 2, 2]);
      const fulls = await points(f.a.clientId, `vm_id=${f.a.vmId}&type=Full`).expect(200);
      assert.deepEqual([ids(fulls.body.backup_points), fulls.body.total], [[f.a.fullPointId], 1]);
      const incs = await points(f.a.clientId, `vm_id=${f.a.vmId}&type=Incremental&limit=1&offset=1`).expect(200);
      assert.deepEqual([ids(incs.body.backup_points), incs.body.total], [[f.a.incrementalPointIds[0]], 2]);
    });

    it('Can derive disks from disk_manifests when the VM has no disk rows', async () => {
      const res = await points(f.a.clientId, `vm_id=${f.a.derivedVmId}`).expect(200);
      assert.deepEqual(res.body.disks, [{ id: -1, disk_path: f.a.derivedDiskPaths[0], disk_name: 'os.vhdx', controller_type: 'SCSI', vhd_format: 'VHDX', size_bytes: null, used_bytes: null, derived: true }]);
    });

    it('Can list only points whose backup run ended success or warning', async () => {
      const vmId = await insertVm(t.db, f.a.jobId, 'statuses');
      const disks = ['C:\\VMs\\s\\s.vhdx'];
      const listed: number[] = [];
      for (const [i, runStatus] of (['success', 'warning', 'failed', 'cancelled', 'running', 'queued'] as const).entries()) {
        const id = await insertPoint(t.db, { vmId, jobId: f.a.jobId, type: 'Full', diskPaths: disks, runStatus, minute: 100 + i });
        if (runStatus === 'success' || runStatus === 'warning') listed.unshift(id);
      }
      const res = await points(f.a.clientId, `vm_id=${vmId}`).expect(200);
      assert.deepEqual(ids(res.body.backup_points), listed);
      assert.deepEqual(res.body.backup_points.map((p: PointOut) => p.has_warnings), [true, false]);
      assert.equal(res.body.total, 2);
    });

    it('Can build chains of every length from 1 to 30', async () => {
      const vmId = await insertVm(t.db, f.a.jobId, 'long-chain');
      const chain = await insertChain(t.db, vmId, f.a.jobId, ['C:\\VMs\\l\\l.vhdx'], 29, 200);
      const res = await points(f.a.clientId, `vm_id=${vmId}&limit=30`).expect(200);
      const listed = [...res.body.backup_points].reverse() as PointOut[];
      assert.deepEqual(ids(listed), chain);
      listed.forEach((p, i) => {
        assert.equal(p.restore_chain_length, i + 1);
        assert.deepEqual(p.restore_chain.map((m) => m.backup_point_id), chain.slice(0, i + 1));
        assert.equal(p.backup_type, i === 0 ? 'Full' : 'Incremental');
      });
    });

    it('Cannot call a point restorable when its chain is broken, and says why', async () => {
      const job = f.a.jobId;
      const d = ['C:\\VMs\\x\\x.vhdx'];
      const vm = await insertVm(t.db, job, 'broken');
      const otherVm = await insertVm(t.db, job, 'other');
      const nullParent = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Incremental', parentId: null, diskPaths: d, minute: 300 });
      const dangling = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Incremental', parentId: nullParent, diskPaths: d, minute: 301 });
      await withoutForeignKeys(t.db, async (c) => { await c('s3_hyperv_backup_points').where('id', dangling).update({ parent_backup_id: 987654 }); });
      const foreignFull = await insertPoint(t.db, { vmId: otherVm, jobId: job, type: 'Full', diskPaths: d, minute: 302 });
      const crossVm = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Incremental', parentId: foreignFull, diskPaths: d, minute: 303 });
      const loopA = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Incremental', parentId: null, diskPaths: d, minute: 304 });
      const loopB = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Incremental', parentId: loopA, diskPaths: d, minute: 305 });
      await t.db('s3_hyperv_backup_points').where('id', loopA).update({ parent_backup_id: loopB });
      const failedFull = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Full', diskPaths: d, runStatus: 'failed', minute: 306 });
      const onFailed = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Incremental', parentId: failedFull, diskPaths: d, minute: 307 });
      const oneDiskFull = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Full', diskPaths: d, minute: 308 });
      const newDisk = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Incremental', parentId: oneDiskFull, diskPaths: [...d, 'C:\\VMs\\x\\new.vhdx'], minute: 309 });
      const deepNull = await insertPoint(t.db, { vmId: vm, jobId: job, type: 'Incremental', parentId: nullParent, diskPaths: d, minute: 310 });
      const expected = new Map<number, string>([
        [nullParent, `Incremental point #${nullParent} has no parent point (it was deleted)`],
        [dangling, `the parent point #987654 of point #${dangling} no longer exists`],
        [crossVm, `the parent point #${foreignFull} of point #${crossVm} belongs to another VM`],
        [loopB, `the points from #${loopA} loop back to #${loopB}`],
        [loopA, `the points from #${loopB} loop back to #${loopA}`],
        [onFailed, `the backup run of point #${failedFull} did not succeed (status: failed)`],
        [newDisk, `point #${oneDiskFull} has no snapshot of disk C:\\VMs\\x\\new.vhdx`],
        [deepNull, `Incremental point #${nullParent} has no parent point (it was deleted)`],
      ]);
      const res = await points(f.a.clientId, `vm_id=${vm}&limit=200`).expect(200);
      const byId = new Map((res.body.backup_points as PointOut[]).map((p) => [p.id, p]));
      for (const [id, reason] of expected) {
        const p = byId.get(id)!;
        assert.deepEqual([p.is_restorable, p.not_restorable_reason, p.restore_chain, p.restore_chain_length], [false, `Restore chain is broken: ${reason}`, [], 0], `point ${id}`);
      }
      assert.equal(byId.get(oneDiskFull)!.is_restorable, true);
      assert.ok(!byId.has(failedFull), 'a point whose run failed is not listed');
    });

    it('Can list with a constant number of queries, whatever the page size, offset or chain length', async () => {
      const vmId = await insertVm(t.db, f.a.jobId, 'query-count');
      await insertChain(t.db, vmId, f.a.jobId, ['C:\\VMs\\q\\a.vhdx', 'C:\\VMs\\q\\b.vhdx'], 29, 400);
      // The page and count cache off: this is about what building one page costs.
      const uncached = createTestAppOn(t.database, { LISTING_CACHE_MS: '0' });
      await clientGet(uncached.app, f.a.clientId, `/api/hyperv/backup-points?vm_id=${vmId}`).expect(200); // warms up the nonce pruner
      const counts: number[] = [];
      for (const query of [`vm_id=${f.a.derivedVmId}&limit=1`, `vm_id=${vmId}&limit=1`, `vm_id=${vmId}&limit=10`, `vm_id=${vmId}&limit=30`, `vm_id=${vmId}&limit=10&offset=20`, `vm_id=${vmId}&limit=30&type=Incremental`]) {
        let n = 0;
        const onQuery = () => { n += 1; };
        t.db.on('query', onQuery);
        try {
          await clientGet(uncached.app, f.a.clientId, `/api/hyperv/backup-points?${query}`).expect(200);
        } finally {
          t.db.off('query', onQuery);
        }
        counts.push(n);
      }
      assert.ok(counts[0]! <= 6, `few queries (${counts[0]})`);
      assert.deepEqual(counts, counts.map(() => counts[0]), `query counts ${counts.join(', ')}`);
    });

    it('Cannot see another client\'s VM: it answers exactly like a missing one', async () => {
      const foreign = await points(f.a.clientId, `vm_id=${f.b.vmId}`).expect(404);
      const missing = await points(f.a.clientId, 'vm_id=999999').expect(404);
      assert.deepEqual(foreign.body, fail('VM not found or access denied'));
      assert.deepEqual(missing.body, foreign.body);
      assert.equal((await points(f.b.clientId, `vm_id=${f.b.vmId}`).expect(200)).body.total, 3);
    });

    it('Can show a new restore point within LISTING_CACHE_MS, reusing the page meanwhile without querying it again', async () => {
      const cached = createTestAppOn(t.database, { LISTING_CACHE_MS: '400' });
      const vmId = await insertVm(t.db, f.a.jobId, 'cached');
      const disks = ['C:\\VMs\\c\\c.vhdx'];
      await insertPoint(t.db, { vmId, jobId: f.a.jobId, type: 'Full', diskPaths: disks, minute: 500 });
      const list = () => clientGet(cached.app, f.a.clientId, `/api/hyperv/backup-points?vm_id=${vmId}`).expect(200);
      const first = await list();
      const newer = await insertPoint(t.db, { vmId, jobId: f.a.jobId, type: 'Full', diskPaths: disks, minute: 501 });
      let queries = 0;
      const onQuery = () => { queries += 1; };
      t.db.on('query', onQuery);
      let reused: Awaited<ReturnType<typeof list>>;
      try {
        reused = await list();
      } finally {
        t.db.off('query', onQuery);
      }
      assert.deepEqual(reused.body, first.body);
      assert.ok(queries <= 2, `only the nonce and the ownership check (${queries} queries)`);
      await new Promise((resolve) => setTimeout(resolve, 450));
      const fresh = await list();
      assert.equal(fresh.body.backup_points[0].id, newer);
      assert.equal(fresh.body.total, 2);
    });

    it('Can send the page gzip-compressed to a client that asks for it (the bridge does), the same JSON once decoded', async () => {
      const vmId = await insertVm(t.db, f.a.jobId, 'compressed');
      await insertChain(t.db, vmId, f.a.jobId, ['C:\\VMs\\z\\z.vhdx'], 9, 700);
      const query = `/api/hyperv/backup-points?vm_id=${vmId}`;
      const gzipped = await clientGet(t.app, f.a.clientId, query).set('Accept-Encoding', 'gzip, deflate, br').expect(200);
      const plain = await clientGet(t.app, f.a.clientId, query).set('Accept-Encoding', 'identity').expect(200);
      assert.equal(gzipped.headers['content-encoding'], 'gzip');
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.match(String(gzipped.headers.vary), /Accept-Encoding/);
      assert.equal(plain.body.backup_points.length, 10);
      assert.deepEqual(gzipped.body, plain.body);
    });

    it('Cannot read a cached page of another client\'s VM, nor of a VM that has changed hands', async () => {
      const vmId = await insertVm(t.db, f.b.jobId, 'handed-over');
      await insertPoint(t.db, { vmId, jobId: f.b.jobId, type: 'Full', diskPaths: ['C:\\VMs\\h\\h.vhdx'], minute: 600 });
      const list = (clientId: number) => points(clientId, `vm_id=${vmId}`);
      const [owner, stranger] = await Promise.all([list(f.b.clientId), list(f.a.clientId)]);
      assert.equal(owner.status, 200);
      assert.deepEqual([stranger.status, stranger.body], [404, fail('VM not found or access denied')]);
      // The page is cached now; moving the VM to client A's job must change who may read it at once.
      await t.db('s3_hyperv_vms').where('id', vmId).update({ job_id: f.a.jobId });
      assert.deepEqual((await list(f.b.clientId).expect(404)).body, fail('VM not found or access denied'));
      const now = await list(f.a.clientId).expect(200);
      assert.deepEqual([now.body.vm.job_id, now.body.total], [f.a.jobId, 1]);
    });

    const BAD: [string, string][] = [
      ['', 'vm_id is required'],
      ['vm_id=', 'vm_id is required'],
      ['vm_id=0', 'vm_id is required'],
      ['vm_id=abc', 'vm_id is required'],
      ['vm_id=1&limit=0', 'limit must be a whole number from 1 to 200'],
      ['vm_id=1&limit=201', 'limit must be a whole number from 1 to 200'],
      ['vm_id=1&limit=ten', 'limit must be a whole number from 1 to 200'],
      ['vm_id=1&offset=-1', 'offset must be a whole number, 0 or more'],
      ['vm_id=1&type=Differential', 'type must be Full or Incremental'],
      ['vm_id=1&type=full', 'type must be Full or Incremental'],
      // Loose forms of a number or a parameter: never read as another value, never ignored.
      ['vm_id=0x0a', 'vm_id is required'],
      ['vm_id=1e1', 'vm_id is required'],
      ['vm_id=%2010', 'vm_id is required'],
      ['vm_id=10%20', 'vm_id is required'],
      ['vm_id=00010', 'vm_id is required'],
      ['vm_id=10.0', 'vm_id is required'],
      ['vm_id=%2B10', 'vm_id is required'],
      ['vm_id[]=10', 'vm_id is required'],
      ['vm_id=1&limit=1e1', 'limit must be a whole number from 1 to 200'],
      ['vm_id=1&offset=0x10', 'offset must be a whole number, 0 or more'],
      ['vm_id=1&type[]=Full', 'type must be Full or Incremental'],
      ['vm_id=1&type[0]=Incremental', 'type must be Full or Incremental'],
    ];
    for (const [query, message] of BAD) {
      it(`Rejects ?${query} with 400 "${message}"`, async () => {
        assert.deepEqual((await points(f.a.clientId, query).expect(400)).body, fail(message));
      });
    }
  });
}
