// The real sidecar app listening on a loopback port, so php-cli (cURL) and browsers reach it over HTTP.
import type { Server } from 'node:http';
import type { Express } from 'express';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

export function listen(app: Express): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
    server.once('error', reject);
  });
}
