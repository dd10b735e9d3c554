// The events of one run on their way to the sidecar. Each event gets its id when it is created, so a batch that
// is resent after a lost answer is stored once (the sidecar keys on the id). While the sidecar is down events wait
// here, bounded: when full, the oldest progress events go first, then the oldest of any kind.
import { randomUUID } from 'node:crypto';
import { EVENT_CATALOGUE } from '../../sidecar/lib/event-catalogue.js';
import type { Logger } from '../../sidecar/lib/log.js';
import { MAX_EVENTS_PER_BATCH, type AgentEvent, type AgentEventId, type EventParam } from '../../sidecar/schemas/agent.js';
import { SidecarError, type SidecarClient } from '../sidecar-client.js';

export const OUTBOX_LIMIT = 1000;

/** A refusal that no retry can change; an agent that is not let in (401, 403) keeps its events for when it is. */
function isFinalRefusal(thrown: unknown): boolean {
  return thrown instanceof SidecarError && !thrown.retryable && thrown.status !== 401 && thrown.status !== 403;
}

export class EventOutbox {
  private readonly queue: AgentEvent[] = [];
  dropped = 0;

  constructor(private readonly client: SidecarClient, private readonly runId: number, private readonly log: Logger) {}

  /**
   * Queues an event. `stableId` is for an event that a restarted agent may add again (a disk's completion, which a
   * kill can separate from its delivery): the sidecar stores an id once per run, so it is recorded exactly once.
   */
  add(messageId: AgentEventId, params: Record<string, EventParam>, level?: AgentEvent['level'], stableId?: string): void {
    const entry = EVENT_CATALOGUE[messageId];
    this.queue.push({ id: stableId ?? randomUUID(), ts: new Date().toISOString(), type: entry.type, level: level ?? entry.level, message_id: messageId, params });
    if (this.queue.length > OUTBOX_LIMIT) this.dropOne();
  }

  get pending(): number {
    return this.queue.length;
  }

  private dropOne(): void {
    const progress = this.queue.findIndex((e) => e.message_id === 'HYPERV_RESTORE_DISK_PROGRESS');
    this.queue.splice(progress >= 0 ? progress : 0, 1);
    this.dropped++;
  }

  /** Sends what is queued, oldest first. Returns false (keeping the rest) when the sidecar cannot take it now. */
  async flush(): Promise<boolean> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, MAX_EVENTS_PER_BATCH);
      try {
        await this.client.pushEvents(this.runId, { events: batch });
      } catch (thrown) {
        if (isFinalRefusal(thrown)) {
          // The sidecar will never take these (the run has ended, or it is not this agent's): sending them again
          // would only hold up the end of the run.
          this.log.warn('events refused by the sidecar, dropped', { runId: this.runId, dropped: batch.length, err: thrown });
          this.queue.splice(0, batch.length);
          this.dropped += batch.length;
          continue;
        }
        this.log.warn('events not delivered yet', { runId: this.runId, pending: this.queue.length, err: thrown });
        return false;
      }
      // Only now remove them: anything added meanwhile stays queued behind.
      this.queue.splice(0, batch.length);
    }
    return true;
  }
}
