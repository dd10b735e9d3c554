// The last step of a run: its verdict becomes the closing event and the finish report, delivered to the sidecar.
// The journal goes only once the sidecar has the end: otherwise the command is resumed later and needs it.
import type { Logger } from '../../sidecar/lib/log.js';
import type { FinalStatus } from '../../sidecar/schemas/agent.js';
import type { SidecarClient } from '../sidecar-client.js';
import { deliverFinish } from './deliver-finish.js';
import type { EventOutbox } from './event-outbox.js';
import type { RestoreReporter } from './reporter.js';
import type { RunJournal } from './run-journal.js';
import { verdictEvent, type Verdict } from './verdict.js';

export interface RunEnd {
  client: SidecarClient;
  outbox: EventOutbox;
  /** Already stopped: its last state goes with the finish. */
  reporter: RestoreReporter;
  journal: RunJournal | null;
  runId: number;
  log: Logger;
}

export async function concludeRun(end: RunEnd, result: Verdict): Promise<FinalStatus> {
  const event = verdictEvent(result);
  end.outbox.add(event.messageId, event.params, event.level);
  end.reporter.current = '';
  const finish = { status: result.status, message: result.message, progress: end.reporter.report() };
  const delivered = await deliverFinish(end.client, end.outbox, end.runId, finish, end.log);
  if (delivered) await end.journal?.remove().catch(() => undefined);
  return result.status;
}
