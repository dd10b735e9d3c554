import assert from 'node:assert/strict';
import { testDialects } from '../helpers/database.js';
import { insertChain, insertVm, type Fixtures } from '../helpers/fixtures.js';
import { clientGet, seededApp, type TestApp } from '../helpers/http.js';


const fail = (message: string) => ({ status: 'fail', message });

for (const dialect of testDialects()) {
  describe(`GET /api/hyperv/vms (${dialect})`, function () {
    let t: TestApp;
    let f: Fixtures;
    seededApp(dialect, (app, fixtures) => { t = app; f = fixtures; });

    it('Can list the client\'s VMs with disks, derived disks and the latest point', async () => {
      const res = await clientGet(t.app, f.a.clientId, `/api/hyperv/vms?job_id=${f.a.jobId}`).expect(200);
      assert.equal(res.body.status, 'success');
      const [db, web] = res.body.vms;
      assert.deepEqual([db.vm_name, web.vm_name], ['db-a', 'web-a']);
      assert.deepEqual(web.disks.map((d: { disk_path: string }) => d.disk_path), f.a.diskPaths);
      assert.equal(web.disks[0].disk_name, 'disk0.vhdx');
      assert.equal(web.backup_point_count, 3);
      assert.equal(web.latest_backup_point.id, f.a.incrementalPointIds[1]);
      assert.deepEqual(db.disks, [{ id: -1, disk_path: f.a.derivedDiskPaths[0], disk_name: 'os.vhdx', controller_type: 'SCSI', vhd_format: 'VHDX', size_bytes: null, used_bytes: null, derived: true }]);
    });

    it('Cannot see another client\'s job: its id answers like a missing one (no VMs)', async () => {
      const foreign = await clientGet(t.app, f.a.clientId, `/api/hyperv/vms?job_id=${f.b.jobId}`).expect(200);
      const missing = await clientGet(t.app, f.a.clientId, '/api/hyperv/vms?job_id=999999').expect(200);
      assert.deepEqual(foreign.body, { status: 'success', vms: [] });
      assert.deepEqual(missing.body, foreign.body);
    });

    it('Can list VMs with a constant number of queries, however many VMs and points there are', async () => {
      await clientGet(t.app, f.b.clientId, '/api/hyperv/vms').expect(200); // warms up the nonce pruner
      const countFor = async (clientId: number) => {
        let n = 0;
        const onQuery = () => { n += 1; };
        t.db.on('query', onQuery);
        try {
          await clientGet(t.app, clientId, '/api/hyperv/vms').expect(200);
        } finally {
          t.db.off('query', onQuery);
        }
        return n;
      };
      const before = await countFor(f.b.clientId);
      for (let i = 0; i < 12; i++) {
        const vmId = await insertVm(t.db, f.b.jobId, `many-${i}`);
        await insertChain(t.db, vmId, f.b.jobId, [`C:\\VMs\\m${i}.vhdx`], i % 4, 500 + i * 10);
      }
      assert.equal(await countFor(f.b.clientId), before);
      assert.ok(before <= 4, `few queries (${before})`);
    });

    it('Rejects a job_id that is not a positive whole number', async () => {
      for (const bad of ['0', 'abc', '-3', '1.5']) {
        const res = await clientGet(t.app, f.a.clientId, `/api/hyperv/vms?job_id=${bad}`).expect(400);
        assert.deepEqual(res.body, fail('job_id must be a positive whole number'));
      }
    });
  });
}
