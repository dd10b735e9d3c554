import assert from 'node:assert/strict';
import { fromDbTime, toDbTime } from '../../sidecar/db/dialect.js';
import { formatBytes } from '../../sidecar/lib/format-bytes.js';
import { renderEventMessage } from '../../sidecar/services/run-events.js';
import { canTransition, RUN_STATUSES, transitionRun, type RunStatus } from '../../sidecar/services/run-status.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../helpers/database.js';
import { insertJob } from '../helpers/fixtures.js';

// The contract's forward-only machine, written out in full so a change to the code cannot silently change it.
const ALLOWED = new Set([
  'queued>starting', 'queued>running', 'queued>failed', 'queued>cancelled',
  'starting>running', 'starting>failed', 'starting>cancelled',
  'running>success', 'running>warning', 'running>failed', 'running>cancelled',
]);

describe('Run status machine', function () {
  it('Can allow exactly the forward moves of the contract', () => {
    for (const from of RUN_STATUSES) {
      for (const to of RUN_STATUSES) assert.equal(canTransition(from, to), ALLOWED.has(`${from}>${to}`), `${from} -> ${to}`);
    }
  });

  for (const dialect of testDialects()) {
    describe(`transitionRun (${dialect})`, function () {
      let t: TestDatabase;
      let jobId: number;
      before(async () => {
        t = await createTestDatabase(dialect);
        jobId = await insertJob(t.db, 1, null, 'job');
      });
      after(() => t.drop());
      const newRun = async (status: RunStatus) => Number((await t.db('s3_cloudbackup_runs').insert({ job_id: jobId, status, run_type: 'hyperv_restore' }))[0]);
      const read = (id: number) => t.db('s3_cloudbackup_runs').where('id', id).first();

      for (const from of RUN_STATUSES) {
        for (const to of RUN_STATUSES) {
          const ok = ALLOWED.has(`${from}>${to}`);
          it(`${ok ? 'Can move' : 'Cannot move'} a ${from} run to ${to}`, async () => {
            const id = await newRun(from);
            assert.equal(await transitionRun(t.db, id, to, { set: { error_summary: 'x' } }), ok);
            const row = await read(id);
            assert.equal(row.status, ok ? to : from);
            assert.equal(row.error_summary, ok ? 'x' : null);
          });
        }
      }

      it('Can set started_at once and finished_at on a terminal status', async () => {
        const id = await newRun('queued');
        const t1 = new Date('2026-11-25T10:00:00Z');
        await transitionRun(t.db, id, 'starting', { now: t1 });
        await transitionRun(t.db, id, 'running', { now: new Date('2026-11-25T10:05:00Z') });
        await transitionRun(t.db, id, 'success', { now: new Date('2026-11-25T11:00:00Z') });
        const row = await read(id);
        assert.deepEqual([fromDbTime(row.started_at)?.toISOString(), fromDbTime(row.finished_at)?.toISOString()], ['2026-11-25T10:00:00.000Z', '2026-11-25T11:00:00.000Z']);
        assert.equal(await transitionRun(t.db, id, 'failed'), false);
        assert.equal((await read(id)).status, 'success');
      });

      it('Can let only one of two racing writers win', async () => {
        const id = await newRun('running');
        const results = await Promise.all([transitionRun(t.db, id, 'cancelled'), transitionRun(t.db, id, 'success'), transitionRun(t.db, id, 'failed')]);
        assert.equal(results.filter(Boolean).length, 1);
        assert.ok(['cancelled', 'success', 'failed'].includes((await read(id)).status));
        assert.ok((await read(id)).finished_at <= toDbTime());
      });

      it('Cannot move a run restricted by onlyFrom', async () => {
        const id = await newRun('running');
        assert.equal(await transitionRun(t.db, id, 'cancelled', { onlyFrom: ['queued'] }), false);
        assert.equal((await read(id)).status, 'running');
      });
    });
  }
});

describe('Event messages', function () {
  const CASES: [string | null, Record<string, unknown>, string][] = [
    ['HYPERV_RESTORE_STARTING', { vm_name: 'web01', disk_count: 2, target_path: 'C:\\R' }, 'Starting Hyper-V disk restore for VM "web01" (2 disks) to C:\\R.'],
    ['HYPERV_RESTORE_DISK_STARTING', { disk_index: 1, total_disks: 2, disk_name: 'a.vhdx' }, 'Restoring disk 1/2: a.vhdx.'],
    ['HYPERV_RESTORE_DISK_PROGRESS', { disk_name: 'a.vhdx', bytes_done: 1610612736, bytes_total: 0 }, 'Restoring disk: a.vhdx - 1.5 GiB of 0 B.'],
    ['HYPERV_RESTORE_DISK_COMPLETE', { disk_name: 'a.vhdx', disk_index: 2, total_disks: 2 }, 'Disk a.vhdx restored successfully (2/2).'],
    ['HYPERV_RESTORE_COMPLETE', { restored_disks: 2, total_disks: 2, target_path: '\\\\nas\\r' }, 'Hyper-V restore completed: 2/2 disks restored to \\\\nas\\r.'],
    ['HYPERV_RESTORE_FAILED', { message: 'disk full' }, 'Hyper-V restore failed: disk full.'],
    ['HYPERV_RESTORE_CANCEL_REQUESTED', {}, 'Cancellation requested: the agent will stop the Hyper-V restore.'],
    ['AGENT_OFFLINE', { last_heartbeat_at: '2026-11-25T10:00:00Z', watchdog_timeout_seconds: 720 }, 'Agent offline: no heartbeat since 2026-11-25T10:00:00Z (timeout 720 s).'],
    ['HYPERV_RESTORE_DISK_FAILED', { disk_name: 'a.vhdx' }, 'Disk a.vhdx restore failed: -.'],
    ['UNKNOWN_ID', { message: 'free text' }, 'free text'],
    ['UNKNOWN_ID', {}, 'Update received.'],
    [null, {}, 'Update received.'],
  ];
  for (const [id, params, text] of CASES) {
    it(`Can render ${id ?? 'a null id'} as "${text}"`, () => assert.equal(renderEventMessage(id, params), text));
  }
  it('Can format byte counts in binary units', () => {
    assert.deepEqual([0, 512, 1024, 1536, 10 * 1024 ** 2, 1.5 * 1024 ** 3, 250 * 1024 ** 3, 3 * 1024 ** 4, -1].map(formatBytes),
      ['0 B', '512 B', '1 KiB', '1.5 KiB', '10 MiB', '1.5 GiB', '250 GiB', '3 TiB', '-']);
  });
});
