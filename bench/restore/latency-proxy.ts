// A TCP proxy that delays every piece of data by `oneWayMs` in each direction, so each S3 request pays about
// 2 x oneWayMs as it would against remote object storage (the bottleneck the parallel restore removes).
import { createServer, connect, type Socket } from 'node:net';

export interface LatencyProxy {
  endpoint: string;
  stop(): Promise<void>;
}

export function startLatencyProxy(target: string, oneWayMs: number): Promise<LatencyProxy> {
  const [host, port] = [target.split(':')[0], Number(target.split(':')[1])];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const toClient = delayed(client, oneWayMs);
    // The storage's answers are most of the bytes: read them up to 1 MiB at a time (a plain socket reads 64 KiB),
    // so the proxy spends fewer syscalls of the CPU it shares with what it measures.
    const upstream = connect({ port, host, onread: { buffer: Buffer.allocUnsafe(1024 * 1024), callback: (n, buffer) => { toClient.data(Buffer.from(buffer.subarray(0, n))); return true; } } });
    upstream.setNoDelay(true);
    upstream.on('end', toClient.end);
    const toUpstream = delayed(upstream, oneWayMs);
    client.setNoDelay(true);
    client.on('data', toUpstream.data);
    client.on('end', toUpstream.end);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const endpoint = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      resolve({
        endpoint,
        stop: () => new Promise((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}

// Timers with equal delays fire in order, so the byte stream keeps its order.
function delayed(to: Socket, delayMs: number): { data(chunk: Buffer): void; end(): void } {
  return {
    data: (chunk) => { setTimeout(() => { if (!to.destroyed) to.write(chunk); }, delayMs); },
    end: () => { setTimeout(() => to.end(), delayMs); },
  };
}
