// Starts the bench's latency proxy (bench/restore/latency-proxy, Go): every S3 request pays a round trip of
// 2 x oneWayMs, as it would against remote object storage (the bottleneck the parallel restore removes). It runs as a
// process of its own, so the bench can count its CPU apart from what it measures.
import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { ensureBenchTool } from './bench-tool.js';

export interface LatencyProxy {
  endpoint: string;
  /** Text found in the proxy's command line and nowhere else (for the CPU sampler). */
  commandLineNeedle: string;
  stop(): Promise<void>;
}

export async function startLatencyProxy(target: string, oneWayMs: number): Promise<LatencyProxy> {
  const binary = await ensureBenchTool('latency-proxy');
  // stdin stays a pipe held by us: the proxy exits when it closes, so it cannot outlive the bench.
  const child: ResultPromise = execa(binary, ['--target', target, '--one-way-ms', String(oneWayMs)], { stdin: 'pipe', stderr: 'inherit', reject: false });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      const endpoint = endpointIn(line);
      if (endpoint) resolve(endpoint);
      else reject(new Error(`the latency proxy printed no endpoint: ${line.slice(0, 200)}`));
    });
    void child.then((result) => reject(new Error(`the latency proxy exited with ${String(result.exitCode)} before it listened`)));
  });
  return {
    endpoint,
    commandLineNeedle: `${binary}\0`,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}

function endpointIn(line: string): string | null {
  try {
    const parsed = JSON.parse(line) as { endpoint?: unknown };
    return typeof parsed.endpoint === 'string' ? parsed.endpoint : null;
  } catch {
    return null;
  }
}
