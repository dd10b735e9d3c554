// Every route the sidecar serves, as the fuzz suite sends it: who signs it, where its parameters go, and whether
// a successful answer may legitimately change rows (a fuzz input can be a valid request).
import fc from 'fast-check';
import type { Express } from 'express';
import request from 'supertest';
import type { Response } from 'supertest';
import { signedRequest, type Method } from './http.js';
import { pathParam, queryString, rawBody, type RawBody } from './fuzz-inputs.js';

export type Caller = 'client' | 'admin' | 'agent' | 'bridge' | 'none';

export interface FuzzRoute {
  method: Method;
  /** The route pattern; `:p` is replaced by the fuzzed path parameter. */
  pattern: string;
  caller: Caller;
  /** 'page' routes answer HTML (also for refusals); 'json' routes always answer the JSON envelope. */
  kind: 'json' | 'page' | 'asset';
  /** A successful answer may change rows (e.g. a valid restore request). */
  mutates?: boolean;
}

export const FUZZ_ROUTES: readonly FuzzRoute[] = [
  { method: 'GET', pattern: '/healthz', caller: 'none', kind: 'json' },
  { method: 'GET', pattern: '/assets/:p', caller: 'none', kind: 'asset' },
  { method: 'GET', pattern: '/api/hyperv/vms', caller: 'client', kind: 'json' },
  { method: 'GET', pattern: '/api/hyperv/backup-points', caller: 'client', kind: 'json' },
  { method: 'POST', pattern: '/api/hyperv/restores', caller: 'client', kind: 'json', mutates: true },
  { method: 'GET', pattern: '/api/runs/:p', caller: 'client', kind: 'json' },
  { method: 'GET', pattern: '/api/runs/:p/events', caller: 'client', kind: 'json' },
  { method: 'POST', pattern: '/api/runs/:p/cancel', caller: 'client', kind: 'json', mutates: true },
  { method: 'GET', pattern: '/pages/hyperv', caller: 'client', kind: 'page' },
  { method: 'GET', pattern: '/pages/hyperv-restore', caller: 'client', kind: 'page' },
  { method: 'GET', pattern: '/pages/live', caller: 'client', kind: 'page' },
  { method: 'GET', pattern: '/admin/api/runs', caller: 'admin', kind: 'json' },
  { method: 'GET', pattern: '/admin/api/runs/:p', caller: 'admin', kind: 'json' },
  { method: 'POST', pattern: '/admin/api/runs/:p/cancel', caller: 'admin', kind: 'json', mutates: true },
  { method: 'GET', pattern: '/admin/api/agents', caller: 'admin', kind: 'json' },
  { method: 'GET', pattern: '/admin/pages/runs', caller: 'admin', kind: 'page' },
  { method: 'GET', pattern: '/admin/pages/runs/:p', caller: 'admin', kind: 'page' },
  { method: 'GET', pattern: '/admin/pages/agents', caller: 'admin', kind: 'page' },
  { method: 'GET', pattern: '/admin/pages/vms', caller: 'admin', kind: 'page' },
  { method: 'GET', pattern: '/admin/pages/restore', caller: 'admin', kind: 'page' },
  { method: 'GET', pattern: '/admin/api/hyperv/backup-points', caller: 'admin', kind: 'json' },
  { method: 'POST', pattern: '/admin/api/hyperv/restores', caller: 'admin', kind: 'json', mutates: true },
  { method: 'POST', pattern: '/bridge/notices/claim', caller: 'bridge', kind: 'json', mutates: true },
  { method: 'POST', pattern: '/bridge/notices/ack', caller: 'bridge', kind: 'json', mutates: true },
  { method: 'POST', pattern: '/agent/commands/claim', caller: 'agent', kind: 'json', mutates: true },
  { method: 'POST', pattern: '/agent/runs/:p/heartbeat', caller: 'agent', kind: 'json', mutates: true },
  { method: 'GET', pattern: '/agent/runs/:p', caller: 'agent', kind: 'json' },
  { method: 'POST', pattern: '/agent/runs/:p/events', caller: 'agent', kind: 'json', mutates: true },
  { method: 'POST', pattern: '/agent/runs/:p/finish', caller: 'agent', kind: 'json', mutates: true },
];

export interface FuzzInput {
  param: string;
  query: string;
  body: RawBody | undefined;
}

export function fuzzInput(route: FuzzRoute, ids: readonly number[]): fc.Arbitrary<FuzzInput> {
  return fc.record({
    param: route.pattern.includes(':p') ? pathParam(ids) : fc.constant(''),
    query: queryString(ids),
    body: route.method === 'GET' ? fc.constant(undefined) : rawBody(ids),
  });
}

export interface Callers {
  clientId: number;
  adminId: number;
  agentHeaders: Record<string, string>;
}

export function pathOf(route: FuzzRoute, input: FuzzInput): string {
  return route.pattern.replace(':p', input.param) + input.query;
}

/** Sends the input as the route's caller would, signed where the route needs it. */
export async function sendFuzz(app: Express, route: FuzzRoute, input: FuzzInput, who: Callers): Promise<Response> {
  const path = pathOf(route, input);
  const { body } = input;
  if (route.caller === 'client' || route.caller === 'admin' || route.caller === 'bridge') {
    const identity = route.caller === 'client' ? { clientId: who.clientId } : route.caller === 'admin' ? { adminId: who.adminId } : {};
    return signedRequest(app, { method: route.method, path, ...identity, body: body?.text, contentType: body?.contentType });
  }
  const agent = request(app);
  const test = route.method === 'GET' ? agent.get(path) : agent.post(path);
  if (route.caller === 'agent') test.set(who.agentHeaders);
  if (body) test.set('Content-Type', body.contentType).send(body.text);
  return test;
}
