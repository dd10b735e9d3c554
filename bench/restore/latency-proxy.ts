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
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    pipeDelayed(client, upstream, oneWayMs);
    pipeDelayed(upstream, client, oneWayMs);
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
function pipeDelayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (data) => setTimeout(() => { if (!to.destroyed) to.write(data); }, delayMs));
  from.on('end', () => setTimeout(() => to.end(), delayMs));
}
