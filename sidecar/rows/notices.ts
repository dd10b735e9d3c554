// s3_hyperv_restore_notices (migration 0007): whether the customer has been e-mailed about an ended restore. No row
// means "not taken yet"; the bridge's claim writes one. One row per run, so a run is claimed by one pass at a time.
//   claimed  — handed to a bridge pass that has not acknowledged it (a lease: claimed_until)
//   sent     — the bridge sent the e-mail and said so: never offered again
//   skipped  — ended while the module setting was off: never offered
//   predates — ended before the feature existed (marked by the migration): never offered
//   given_up — the send failed NOTICE_MAX_ATTEMPTS times (e.g. the client was deleted in WHMCS)
import { TABLES } from '../db/tables.js';

export const NOTICES = TABLES.notices;

export const NOTICE_STATES = ['claimed', 'sent', 'skipped', 'predates', 'given_up'] as const;
export type NoticeState = (typeof NOTICE_STATES)[number];

export interface NoticeRow {
  run_id: number;
  state: NoticeState;
  attempts: number;
  claimed_until: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A new row for a run that has no row yet. */
export function noticeRow(runId: number, state: NoticeState, now: string, claimedUntil: string | null = null): NoticeRow {
  return { run_id: runId, state, attempts: state === 'claimed' ? 1 : 0, claimed_until: claimedUntil, sent_at: null, created_at: now, updated_at: now };
}
