// A loopback TCP proxy in front of a real server (MariaDB) that a test can cut and restore: close() stops listening
// and drops every open connection (the database "goes away"), open() listens again on the same port.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  close(): Promise<void>;
  open(): Promise<void>;
  /** The database stops answering without closing anything (a network partition): bytes are swallowed. */
  blackhole(on: boolean): void;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  let swallowing = false;
  const forward = (from: Socket, to: Socket) => from.on('data', (chunk: Buffer) => { if (!swallowing) to.write(chunk); });
  const makeServer = () => createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    track(client);
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  const listen = (server: Server, port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
  let server: Server | null = makeServer();
  const port = await listen(server, 0);
  return {
    port,
    close: async () => {
      const closing = server;
      server = null;
      if (!closing) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    blackhole: (on) => { swallowing = on; },
    open: async () => {
      if (server) return;
      server = makeServer();
      await listen(server, port);
    },
  };
}
