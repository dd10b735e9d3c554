// Where a run ends. Every terminal transition (the agent's finish, a client's or an admin's cancel of a queued run,
// the watchdog's two cases) goes through finishRun: the forward-only status change, the final event and the
// retirement of the run's commands commit together or not at all. After the commit a typed RunFinished fact goes to
// the subscribers (graphile-worker's idea of events after a state change), so a later feature (a restore-finished
// notice) hangs off one place instead of four.
import type { Knex } from 'knex';
import { affected, toDbTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import type { Actor } from './accountability.js';
import { AGENT_COMMAND_TYPES } from '../schemas/agent.js';
import { appendEvents, type NewRunEvent } from './run-events.js';
import { transitionRun, type RunStatus, type TerminalStatus } from './run-status.js';

/** The command status a finished run leaves behind: the enum has no 'cancelled', so a retired command is 'failed'. */
export type CommandOutcome = 'completed' | 'failed';

export interface FinishOptions {
  actor: Actor;
  /** The event written with the change (none when the agent reports its own final events). */
  event?: NewRunEvent;
  /** What the run's waiting or in-hand commands are closed with. */
  command: { outcome: CommandOutcome; message: string };
  /** The run's error_summary (null clears it). */
  summary: string | null;
  /** Further run columns set in the same statement (progress, cancel_requested). */
  set?: Record<string, unknown>;
  /** Narrows the statuses the run may be in (e.g. only a queued run is cancelled at once). */
  onlyFrom?: readonly RunStatus[];
  /** Only when the run has not been written since then (the watchdog must not fail a run a heartbeat just saved). */
  idleSince?: Date;
  now?: Date;
}

/** The fact published once a run has ended; `message` is the run's error summary (null for a plain success). */
export interface RunFinished {
  runId: number;
  clientId: number;
  agentId: number | null;
  status: TerminalStatus;
  actor: Actor;
  message: string | null;
}

export type RunFinishedListener = (fact: RunFinished) => void;

/** In-process subscribers of RunFinished, registered at start (deps.ts). A listener's failure is logged, never thrown
 *  back into the finish that already committed. */
export class RunFinishedBus {
  private readonly listeners = new Set<RunFinishedListener>();

  constructor(private readonly onListenerError: (err: unknown, fact: RunFinished) => void = () => undefined) {}

  subscribe(listener: RunFinishedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(fact: RunFinished): void {
    for (const listener of this.listeners) {
      try {
        listener(fact);
      } catch (err) {
        this.onListenerError(err, fact);
      }
    }
  }
}

/** Closes every command of the run that is still waiting or in hand. */
export async function retireRunCommands(trx: Knex, runId: number, command: FinishOptions['command']): Promise<number> {
  const changed = await trx(TABLES.commands)
    .where({ run_id: runId })
    .whereIn('type', AGENT_COMMAND_TYPES)
    .whereIn('status', ['pending', 'processing'])
    .update({ status: command.outcome, result_message: command.message, processed_at: toDbTime() });
  return affected(changed);
}

async function runOwners(trx: Knex, runId: number): Promise<{ clientId: number; agentId: number | null }> {
  const row = (await trx(`${TABLES.runs} as r`).join(`${TABLES.jobs} as j`, 'j.id', 'r.job_id').where('r.id', runId)
    .first('j.client_id', 'r.agent_id')) as { client_id: number | string; agent_id: number | string | null };
  return { clientId: Number(row.client_id), agentId: row.agent_id === null ? null : Number(row.agent_id) };
}

/** Inside the caller's transaction: the change, the event and the command retirement. Null when the run could not
 *  move (already finished, or not in one of the allowed statuses): nothing was written then. */
export async function finishRunIn(trx: Knex.Transaction, runId: number, status: TerminalStatus, o: FinishOptions): Promise<RunFinished | null> {
  const set = { ...o.set, error_summary: o.summary };
  if (!(await transitionRun(trx, runId, status, { set, onlyFrom: o.onlyFrom, idleSince: o.idleSince, now: o.now }))) return null;
  if (o.event) await appendEvents(trx, runId, [o.event]);
  await retireRunCommands(trx, runId, o.command);
  return { runId, ...(await runOwners(trx, runId)), status, actor: o.actor, message: o.summary };
}

/** Ends run `runId` in one transaction, then tells the subscribers. Null when the run did not move. */
export async function finishRun(db: Knex, bus: RunFinishedBus, runId: number, status: TerminalStatus, o: FinishOptions): Promise<RunFinished | null> {
  const fact = await db.transaction((trx) => finishRunIn(trx, runId, status, o));
  if (fact) bus.publish(fact);
  return fact;
}
