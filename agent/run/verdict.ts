// How a run ends, decided from what happened to its disks. Pure: no events, no I/O, so every ending is one row of a
// table test. concludeRun (conclude-run.ts) turns the verdict into the run's last event and its finish report.
import type { AgentEvent, AgentEventId, EventParam, FinalStatus } from '../../sidecar/schemas/agent.js';
import type { FailureText } from './failure-text.js';

/** Why a run stops early: the customer cancelled, the sidecar already ended it, or the agent is shutting down. */
export type StopReason = 'cancel' | 'run-finished' | 'agent-stopping';
export type DiskOutcome = { state: 'done' } | { state: 'failed'; message: string } | { state: 'cancelled' };
/** Why nothing could start: the customer's words and the detail for the admin page and the log. */
export type NothingStarted = FailureText;
/** The target folder cannot take this restore: one sentence per problem, in the customer's paths. */
export interface TargetRefusal {
  refusal: string[];
}
/** Every disk's outcome, in the plan's order, or why no disk was attempted. */
export type RunOutcome = DiskOutcome[] | NothingStarted | TargetRefusal;

/** What the run's last event needs to say, beside the status and message the sidecar records. */
export type Ending =
  | { kind: 'cancelled' }
  | { kind: 'agent-stopped' }
  | { kind: 'refused'; refusal: string[] }
  | { kind: 'nothing-started'; detail: string }
  | { kind: 'all-failed' }
  | { kind: 'restored'; restored: number; total: number; targetPath: string };

export interface Verdict {
  status: FinalStatus;
  message: string;
  ending: Ending;
}

export interface RunFacts {
  /** 'run-finished' has no verdict: the sidecar already ended the run, nothing is sent. */
  stopReason: Exclude<StopReason, 'run-finished'> | null;
  /** The plan's disk file names, in the order of the outcomes. */
  diskNames: readonly string[];
  /** The target folder in the customer's words. */
  targetPath: string;
}

export const CANCELLED_MESSAGE = 'Restore cancelled by the user';
export const AGENT_STOPPED_MESSAGE = 'the agent was stopped during the restore';

export function verdict(outcomes: RunOutcome, facts: RunFacts): Verdict {
  if (facts.stopReason === 'cancel') return { status: 'cancelled', message: CANCELLED_MESSAGE, ending: { kind: 'cancelled' } };
  if (facts.stopReason === 'agent-stopping') return { status: 'failed', message: AGENT_STOPPED_MESSAGE, ending: { kind: 'agent-stopped' } };
  if (!Array.isArray(outcomes) && 'refusal' in outcomes) {
    const message = outcomes.refusal.map((sentence) => `${sentence}.`).join(' ');
    return { status: 'failed', message, ending: { kind: 'refused', refusal: outcomes.refusal } };
  }
  if (!Array.isArray(outcomes)) return { status: 'failed', message: outcomes.message, ending: { kind: 'nothing-started', detail: outcomes.detail } };
  return disksVerdict(outcomes, facts);
}

function disksVerdict(outcomes: readonly DiskOutcome[], { diskNames, targetPath }: RunFacts): Verdict {
  const total = diskNames.length;
  const failed = outcomes.flatMap((o, i) => (o.state === 'failed' ? [`${diskNames[i]}: ${o.message}`] : []));
  const restored = total - failed.length;
  if (restored === 0) return { status: 'failed', message: `all ${total} disks failed (${failed.join('; ')})`, ending: { kind: 'all-failed' } };
  const ending: Ending = { kind: 'restored', restored, total, targetPath };
  if (failed.length === 0) return { status: 'success', message: `All ${total} disks restored to ${targetPath}`, ending };
  return { status: 'warning', message: `${restored} of ${total} disks restored to ${targetPath}; failed: ${failed.join('; ')}`, ending };
}

/** A refused run shows each disk it would have written failed with its own sentence, or the whole folder's. */
export function refusalOfDisk(shownFile: string, refusal: readonly string[]): string {
  const own = refusal.find((sentence) => sentence.startsWith(`${shownFile} `) || sentence.startsWith(`${shownFile}.partial `));
  return own ?? refusal.join('. ');
}

export interface VerdictEvent {
  messageId: AgentEventId;
  params: Record<string, EventParam>;
  level?: AgentEvent['level'];
}

/** The catalogue event that closes the run's log. */
export function verdictEvent({ status, message, ending }: Verdict): VerdictEvent {
  switch (ending.kind) {
    case 'cancelled':
      return { messageId: 'HYPERV_RESTORE_CANCELLED', params: {} };
    case 'refused':
      // The code tells the page to offer another folder instead of the same restore again.
      return { messageId: 'HYPERV_RESTORE_FAILED', params: { message: ending.refusal.join('. '), code: 'TARGET_NOT_USABLE' } };
    case 'nothing-started':
      return { messageId: 'HYPERV_RESTORE_FAILED', params: { message, detail: ending.detail.slice(0, 2000) } };
    case 'agent-stopped':
    case 'all-failed':
      return { messageId: 'HYPERV_RESTORE_FAILED', params: { message } };
    case 'restored': {
      const params = { restored_disks: ending.restored, total_disks: ending.total, target_path: ending.targetPath, status };
      return { messageId: 'HYPERV_RESTORE_COMPLETE', params, level: status === 'warning' ? 'warn' : 'info' };
    }
  }
}
