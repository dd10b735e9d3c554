// What a customer reads about a failure, and what the admin page and the log keep. The engine's messages name the
// host's own paths (the mapped target folder, the agent's work folder) and kopia's view of the repository (its
// location, bucket, object ids); a customer sees their own target path and, for anything about the storage, one
// generic sentence.
import { sep } from 'node:path';
import { RestoreError, type RestoreErrorCode } from '../engine/types.js';

export const STORAGE_UNREADABLE = 'the backup storage could not be read';

export interface FailureText {
  /** For the customer: events, the run's error summary, the disk's progress entry. */
  message: string;
  /** For the admin page and the log: the engine's own words. */
  detail: string;
}

/** The folders a message may name on this host, and how the customer wrote the first. */
export interface TargetNames {
  hostTarget: string;
  targetPath: string;
}

const STORAGE: ReadonlySet<RestoreErrorCode> = new Set(['REPOSITORY_UNAVAILABLE', 'KOPIA_FAILED', 'SNAPSHOT_NOT_FOUND', 'SNAPSHOT_NOT_A_DISK', 'SIZE_MISMATCH']);

/** `text` with the host's target folder written as the customer's own path (C:\Restored\web01\disk0.vhdx). */
function inCustomerTerms(text: string, names: TargetNames): string {
  const host = names.hostTarget.replace(/[\\/]+$/, '');
  return text.split(host + sep).join(names.targetPath.replace(/\\$/, '') + '\\').split(host).join(names.targetPath);
}

export function describeFailure(thrown: unknown, names: TargetNames): FailureText {
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  if (thrown instanceof RestoreError) {
    if (thrown.code === 'CANCELLED') return { message: 'Restore cancelled', detail };
    if (STORAGE.has(thrown.code)) return { message: STORAGE_UNREADABLE, detail };
    // Target checks name only the target folder and its files: said in the customer's terms.
    return { message: inCustomerTerms(detail, names), detail };
  }
  // Anything else (a write error, a bug) may name any host path: only its error code is said.
  const code = (thrown as NodeJS.ErrnoException | null)?.code;
  return { message: `the disk could not be written to ${names.targetPath}${typeof code === 'string' ? ` (${code})` : ''}`, detail };
}
