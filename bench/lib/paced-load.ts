// Paced (open-loop) HTTP load: many virtual clients that each send one request per period, their start times spread
// evenly over the period, the way a fleet of agents polls (each agent started at its own moment). autocannon's
// fixed-rate mode does not fit this: it lets every connection send its whole per-second quota at the top of each
// second, so 2,000 agents would arrive as one burst a second. Latency is counted from the moment a request was due,
// not when it was sent, so a stalled server or a late generator shows in the figures (no coordinated omission).
import http from 'node:http';

export interface PacedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface PacedLoadOptions {
  url: string;
  durationSeconds: number;
  /** how many virtual clients; each sends once per period */
  clients: number;
  periodMs: number;
  maxSockets: number;
  timeoutMs: number;
  request(client: number, round: number): PacedRequest;
  onResponse?(client: number, status: number, body: string): void;
}

export interface PacedLoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function send(agent: http.Agent, base: URL, req: PacedRequest, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: base.hostname, port: base.port, agent, method: req.method, path: req.path, headers: req.headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

export async function pacedLoad(o: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets });
  const base = new URL(o.url);
  const gapMs = o.periodMs / o.clients;
  const start = performance.now();
  const end = start + o.durationSeconds * 1000;
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let non2xx = 0;
  let errors = 0;
  let slot = 0;
  const fire = (client: number, round: number, dueAt: number) => {
    const done = send(agent, base, o.request(client, round), o.timeoutMs).then(
      ({ status, body }) => {
        latencies.push(performance.now() - dueAt);
        if (status < 200 || status > 299) non2xx++;
        o.onResponse?.(client, status, body);
      },
      () => { errors++; },
    ).finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  while (start + slot * gapMs < end) {
    const now = performance.now();
    for (let dueAt = start + slot * gapMs; dueAt <= now && dueAt < end; dueAt = start + slot * gapMs) {
      fire(slot % o.clients, Math.floor(slot / o.clients), dueAt);
      slot++;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(start + slot * gapMs - performance.now(), 5))));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: slot,
    requestsPerSecond: Math.round((latencies.length / o.durationSeconds) * 10) / 10,
    p50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
    p99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
    maxMs: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
    non2xx,
    errors,
  };
}
