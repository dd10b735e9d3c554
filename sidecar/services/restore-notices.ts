// The "restore finished" e-mail, pulled by the bridge (the sidecar holds no WHMCS credentials). Which runs still need
// one is read from the runs themselves (ended, no notice row or an expired claim), not from an in-process
// RunFinished subscriber: a sidecar that stops between a run's commit and its publish would otherwise lose the
// notice. A pass claims (a lease, so the cron and an admin opening the page at once do not both send), sends, and
// acknowledges each sent one; what it does not acknowledge is offered again once the lease ends, what it reports as
// failed at once.
import type { Knex } from 'knex';
import { affected, toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { isDuplicateKey } from '../db/translate-error.js';
import { NOTICES, noticeRow, type NoticeState } from '../rows/notices.js';
import { RESTORE_TARGET_COLUMNS, toRestoreTarget } from '../rows/restore-targets.js';
import { RUN_COLUMNS, toRun, type RunRow } from '../rows/runs.js';
import type { NoticeAck, NoticeClaim } from '../schemas/bridge.js';
import { noticeFields, type NoticeFields } from '../views/notice-fields.js';
import type { BridgeAccountability } from './accountability.js';
import { RESTORE_RUN_TYPE } from './restores.js';
import { isTerminal, TERMINAL_STATUSES, type TerminalStatus } from './run-status.js';

/** How long a pass holds what it claimed before another pass may take it (a pass that died mid-way). */
export const NOTICE_LEASE_SECONDS = 600;
/** Sends that may fail before a notice is given up (a client deleted in WHMCS fails forever). */
export const NOTICE_MAX_ATTEMPTS = 10;

export interface RestoreNotice {
  id: number;
  client_id: number;
  status: TerminalStatus;
  fields: NoticeFields;
}

type PendingRow = RunRow & { vm_id: unknown; vm_name: unknown; target_path: unknown; client_id: number | string; notice_run: number | string | null };

/** Ended restores of any client with no notice yet, or whose claim has lapsed, oldest first. */
async function pendingRuns(db: Knex, now: string, limit: number): Promise<PendingRow[]> {
  return (await db(`${TABLES.restoreTargets} as t`)
    .join(`${TABLES.runs} as r`, 'r.id', 't.run_id')
    .join(`${TABLES.jobs} as j`, 'j.id', 'r.job_id')
    .leftJoin(`${NOTICES} as n`, 'n.run_id', 't.run_id')
    .where('r.run_type', RESTORE_RUN_TYPE)
    .whereIn('r.status', TERMINAL_STATUSES)
    .where((q) => q.whereNull('n.run_id').orWhere((c) => c.where('n.state', 'claimed').where('n.attempts', '<', NOTICE_MAX_ATTEMPTS)
      .where((l) => l.whereNull('n.claimed_until').orWhere('n.claimed_until', '<', now))))
    .orderBy('r.id')
    .limit(limit)
    .select([...RUN_COLUMNS, ...RESTORE_TARGET_COLUMNS, 'j.client_id', 'n.run_id as notice_run'])) as PendingRow[];
}

/** Takes one pending run for this pass: a new row (the primary key lets one pass win) or a lapsed claim renewed. */
async function take(db: Knex, row: PendingRow, state: NoticeState, now: string, until: string): Promise<boolean> {
  const runId = Number(row.id);
  if (row.notice_run === null) {
    try {
      await db(NOTICES).insert(noticeRow(runId, state, now, state === 'claimed' ? until : null));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
  const renewed = await db(NOTICES).where({ run_id: runId, state: 'claimed' }).where('attempts', '<', NOTICE_MAX_ATTEMPTS)
    .where((l) => l.whereNull('claimed_until').orWhere('claimed_until', '<', now))
    .update(state === 'claimed'
      ? { claimed_until: until, attempts: db.raw('attempts + 1'), updated_at: now }
      : { state, claimed_until: null, updated_at: now });
  return affected(renewed) === 1;
}

function toNotice(row: PendingRow): RestoreNotice | null {
  const run = toRun(row);
  if (!isTerminal(run.status)) return null;
  const target = toRestoreTarget(row);
  const fields = noticeFields({
    runId: run.id, status: run.status, vmName: target.vmName ?? 'your VM', targetPath: target.targetPath ?? '', disks: run.disks,
    errorSummary: run.errorSummary,
  });
  return { id: run.id, client_id: Number(row.client_id), status: run.status, fields };
}

/** With the setting on: up to `limit` notices for this pass to send. Off: the ended runs are marked skipped, so
 *  turning the setting on again does not e-mail customers about restores from the time it was off. */
export async function claimNotices(db: Knex, _who: BridgeAccountability, claim: NoticeClaim, at = new Date()):
  Promise<{ notices: RestoreNotice[]; skipped: number }> {
  const now = toDbTime(at);
  const until = toDbTime(new Date(at.getTime() + NOTICE_LEASE_SECONDS * 1000));
  const rows = await pendingRuns(db, now, claim.limit);
  const notices: RestoreNotice[] = [];
  let skipped = 0;
  for (const row of rows) {
    if (claim.notify === 'off') {
      if (await take(db, row, 'skipped', now, until)) skipped += 1;
      continue;
    }
    const notice = toNotice(row);
    if (notice && (await take(db, row, 'claimed', now, until))) notices.push(notice);
  }
  return { notices, skipped };
}

/** Sent: never offered again. Failed: offered on the next pass (or given up after NOTICE_MAX_ATTEMPTS). Only claimed
 *  notices change: an id that was never claimed, or is already sent, is left as it is. */
export async function acknowledgeNotices(db: Knex, _who: BridgeAccountability, ack: NoticeAck, at = new Date()):
  Promise<{ sent: number; released: number }> {
  const now = toDbTime(at);
  const claimed = () => db(NOTICES).where('state', 'claimed');
  const sent = ack.sent.length ? affected(await claimed().whereIn('run_id', ack.sent).update({ state: 'sent', sent_at: now, claimed_until: null, updated_at: now })) : 0;
  if (!ack.failed.length) return { sent, released: 0 };
  await claimed().whereIn('run_id', ack.failed).where('attempts', '>=', NOTICE_MAX_ATTEMPTS).update({ state: 'given_up', claimed_until: null, updated_at: now });
  const released = affected(await claimed().whereIn('run_id', ack.failed).update({ claimed_until: null, updated_at: now }));
  return { sent, released };
}
