// Typed calls to the sidecar's agent API (docs/agent-api.md): fetch with a timeout, retries with capped backoff for
// what may pass (network errors, 429, 5xx); no business logic.
import { backoffDelay, sleep } from '../sidecar/lib/backoff.js';
import type { SecretList } from '../sidecar/lib/secret-list.js';
import type {
  ClaimResponse, ClaimedCommand, EventsRequest, ResumeResponse, EventsResponse, FinishRequest, HeartbeatRequest, HeartbeatResponse, RunStatus,
} from '../sidecar/schemas/agent.js';

export class SidecarError extends Error {
  /** 0 when the sidecar could not be reached at all. */
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'SidecarError';
  }

  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface SidecarClientOptions {
  baseUrl: string;
  agentId: number;
  agentToken: string;
  timeoutMs?: number;
  retries?: number;
  signal?: AbortSignal;
  /** Values no request body may carry (a run's keys in a kopia error message, say): replaced before sending. */
  secrets?: SecretList;
}

export interface CallOptions {
  retries?: number;
}

export class SidecarClient {
  constructor(private readonly options: SidecarClientOptions) {}

  claim(): Promise<ClaimedCommand | null> {
    return this.call<ClaimResponse>('POST', '/agent/commands/claim', undefined, { retries: 0 }).then((r) => r.command);
  }

  /** The commands this agent had in hand before it restarted. */
  resumable(): Promise<ClaimedCommand[]> {
    return this.call<ResumeResponse>('POST', '/agent/commands/resume', undefined, { retries: 0 }).then((r) => r.commands);
  }

  heartbeat(runId: number, beat: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.call('POST', `/agent/runs/${runId}/heartbeat`, beat, { retries: 0 });
  }

  runState(runId: number, options: CallOptions = {}): Promise<{ run_status: RunStatus; cancel_requested: boolean }> {
    return this.call('GET', `/agent/runs/${runId}`, undefined, options);
  }

  pushEvents(runId: number, body: EventsRequest): Promise<EventsResponse> {
    return this.call('POST', `/agent/runs/${runId}/events`, body);
  }

  finish(runId: number, body: FinishRequest, options: CallOptions = {}): Promise<{ run_status: RunStatus }> {
    return this.call('POST', `/agent/runs/${runId}/finish`, body, options);
  }

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, { retries = this.options.retries ?? 3 }: CallOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, body);
      } catch (thrown) {
        const retry = thrown instanceof SidecarError && thrown.retryable && attempt < retries && !this.options.signal?.aborted;
        if (!retry) throw thrown;
        await sleep(backoffDelay(attempt, { baseMs: 250, maxMs: 5000 }), this.options.signal);
      }
    }
  }

  private async once<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.options.baseUrl + path, {
        method,
        headers: {
          'X-Agent-ID': String(this.options.agentId),
          'X-Agent-Token': this.options.agentToken,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : (this.options.secrets?.scrub(JSON.stringify(body)) ?? JSON.stringify(body)),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch (thrown) {
      throw new SidecarError(0, `sidecar unreachable: ${(thrown as Error).message}`);
    }
    const payload = (await res.json().catch(() => null)) as ({ status?: string; message?: string } & T) | null;
    if (!res.ok || payload?.status !== 'success') {
      throw new SidecarError(res.ok ? 502 : res.status, payload?.message ?? `HTTP ${res.status}`);
    }
    return payload;
  }
}
