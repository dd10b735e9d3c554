// How a run ends, from what happened to its disks: the status and sentence the customer's page shows, and the
// catalogue event that closes the run's log. Pure, so each ending is one row.
import assert from 'node:assert/strict';
import { refusalOfDisk, verdict, verdictEvent, type RunFacts, type RunOutcome } from '../../agent/run/verdict.js';
import type { EventParam, FinalStatus } from '../../sidecar/schemas/agent.js';

const TARGET = 'C:\\Restores\\web-01';
const facts = (stopReason: RunFacts['stopReason'] = null): RunFacts => ({ stopReason, diskNames: ['os.vhdx', 'data.vhdx'], targetPath: TARGET });
const done = { state: 'done' } as const;
const cancelled = { state: 'cancelled' } as const;
const failed = (message: string) => ({ state: 'failed', message }) as const;

interface Row {
  name: string;
  outcome: RunOutcome;
  facts: RunFacts;
  status: FinalStatus;
  message: string;
  event: [string, Record<string, EventParam>, ('info' | 'warn')?];
}

const ROWS: Row[] = [
  {
    name: 'every disk restored: success', outcome: [done, done], facts: facts(), status: 'success',
    message: `All 2 disks restored to ${TARGET}`,
    event: ['HYPERV_RESTORE_COMPLETE', { restored_disks: 2, total_disks: 2, target_path: TARGET, status: 'success' }, 'info'],
  },
  {
    name: 'one disk failed, one restored: warning', outcome: [done, failed('the snapshot was not found')], facts: facts(), status: 'warning',
    message: `1 of 2 disks restored to ${TARGET}; failed: data.vhdx: the snapshot was not found`,
    event: ['HYPERV_RESTORE_COMPLETE', { restored_disks: 1, total_disks: 2, target_path: TARGET, status: 'warning' }, 'warn'],
  },
  {
    name: 'every disk failed: failed', outcome: [failed('a'), failed('b')], facts: facts(), status: 'failed',
    message: 'all 2 disks failed (os.vhdx: a; data.vhdx: b)',
    event: ['HYPERV_RESTORE_FAILED', { message: 'all 2 disks failed (os.vhdx: a; data.vhdx: b)' }],
  },
  {
    name: 'cancelled by the customer, whatever the disks did', outcome: [done, cancelled], facts: facts('cancel'), status: 'cancelled',
    message: 'Restore cancelled by the user', event: ['HYPERV_RESTORE_CANCELLED', {}],
  },
  {
    name: 'a cancel wins over a refusal too', outcome: { refusal: ['x already exists; choose another folder'] }, facts: facts('cancel'),
    status: 'cancelled', message: 'Restore cancelled by the user', event: ['HYPERV_RESTORE_CANCELLED', {}],
  },
  {
    name: 'the agent stopped mid-run', outcome: [done, cancelled], facts: facts('agent-stopping'), status: 'failed',
    message: 'the agent was stopped during the restore',
    event: ['HYPERV_RESTORE_FAILED', { message: 'the agent was stopped during the restore' }],
  },
  {
    name: 'nothing started: the customer reads the message, the event keeps the detail',
    outcome: { message: 'the backup storage could not be read', detail: 'Cannot open the backup repository: wrong password' },
    facts: facts(), status: 'failed', message: 'the backup storage could not be read',
    event: ['HYPERV_RESTORE_FAILED', { message: 'the backup storage could not be read', detail: 'Cannot open the backup repository: wrong password' }],
  },
  {
    name: 'nothing started: a long detail is cut to 2000 characters in the event',
    outcome: { message: 'cannot', detail: 'x'.repeat(2500) }, facts: facts(), status: 'failed', message: 'cannot',
    event: ['HYPERV_RESTORE_FAILED', { message: 'cannot', detail: 'x'.repeat(2000) }],
  },
  {
    name: 'the target folder refused: one sentence each, and the code that offers another folder',
    outcome: { refusal: [`${TARGET}\\os.vhdx already exists; choose another folder`, `${TARGET} has 1 GB free but the 2 disks need 9 GB`] },
    facts: facts(), status: 'failed',
    message: `${TARGET}\\os.vhdx already exists; choose another folder. ${TARGET} has 1 GB free but the 2 disks need 9 GB.`,
    event: ['HYPERV_RESTORE_FAILED', {
      message: `${TARGET}\\os.vhdx already exists; choose another folder. ${TARGET} has 1 GB free but the 2 disks need 9 GB`,
      code: 'TARGET_NOT_USABLE',
    }],
  },
];

describe('Verdict of a restore run', function () {
  for (const row of ROWS) {
    it(`Can decide: ${row.name}`, () => {
      const result = verdict(row.outcome, row.facts);
      assert.equal(result.status, row.status);
      assert.equal(result.message, row.message);
      const event = verdictEvent(result);
      assert.deepEqual([event.messageId, event.params, ...(event.level ? [event.level] : [])], row.event);
    });
  }

  it('Can give each refused disk its own sentence, or the whole folder\'s when none names it', () => {
    const refusal = [`${TARGET}\\os.vhdx already exists; choose another folder`, `${TARGET}\\data.vhdx.partial is left from an unfinished restore`];
    assert.equal(refusalOfDisk(`${TARGET}\\os.vhdx`, refusal), refusal[0]);
    assert.equal(refusalOfDisk(`${TARGET}\\data.vhdx`, refusal), refusal[1]);
    assert.equal(refusalOfDisk(`${TARGET}\\other.vhdx`, refusal), refusal.join('. '));
    assert.equal(refusalOfDisk(`${TARGET}\\os`, refusal), refusal.join('. '));
  });
});
