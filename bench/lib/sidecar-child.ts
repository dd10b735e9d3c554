// The sidecar as the benchmarks run it: its own process (so its CPU and RSS can be read from /proc), the real
// createApp on the real config, listening on loopback. Only addition: a count of the SQL statements knex sends,
// answered over the IPC channel, so a benchmark can report queries per request without touching the sidecar.
// With BENCH_FLOOR_BODY set (a file of JSON bytes, with BENCH_FLOOR_ENCODING their Content-Encoding) it serves
// those bytes from a bare express route instead, as the sidecar sends a cached page: the floor of what this machine
// can do for a response of that size, with no database, signature or business logic.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import express from 'express';
import { createApp } from '../../sidecar/app.js';
import { loadConfig } from '../../sidecar/config.js';
import { createDeps, type Deps } from '../../sidecar/deps.js';

export type ChildMessage = { type: 'listening'; port: number } | { type: 'queries'; count: number };
export type ParentMessage = { type: 'count-queries' } | { type: 'stop' };

const floorBody = process.env.BENCH_FLOOR_BODY;
const deps: Deps | null = floorBody ? null : createDeps(loadConfig(process.env));
let queries = 0;
deps?.db.on('query', () => { queries += 1; });

function floorApp(file: string): express.Express {
  const body = readFileSync(file);
  const app = express();
  app.disable('etag');
  const encoding = process.env.BENCH_FLOOR_ENCODING ?? 'identity';
  app.get('/{*path}', (_req, res) => {
    if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
    res.type('json').send(body);
  });
  return app;
}

const send = (message: ChildMessage) => process.send?.(message);
const server: Server = (floorBody ? floorApp(floorBody) : createApp(deps!)).listen(0, '127.0.0.1', () => {
  const address = server.address();
  send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('message', (message: ParentMessage) => {
  if (message.type === 'count-queries') send({ type: 'queries', count: queries });
  if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => void (deps?.db.destroy() ?? Promise.resolve()).finally(() => process.exit(0)));
  }
});
// The parent going away must not leave a listening sidecar behind.
process.on('disconnect', () => process.exit(0));
