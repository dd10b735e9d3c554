// A stand-in for the WHMCS bridge inside the browser: requests to http://whmcs.test/index.php?m=hypervrestore&...
// are answered by signing and forwarding them to the sidecar with the mapping of docs/pages.md, and the page
// fragment is shown inside a plain Bootstrap 4 page (as WHMCS's client area would show it).
import { readFileSync } from 'node:fs';
import type { Page, Route } from 'playwright-core';
import { bridgeHeaders } from './http.js';
import { projectPath } from './paths.js';

export const WHMCS_ORIGIN = 'http://whmcs.test';
export const CSRF_TOKEN = 'csrf-token-for-tests-0123456789';
/** WHMCS's client-area themes: Six is built on Bootstrap 3, Twenty-One on Bootstrap 4 (CSS from npm, no CDN). */
export type WhmcsTheme = 'bootstrap3' | 'bootstrap4';
const BOOTSTRAP_CSS: Record<WhmcsTheme, string> = {
  bootstrap3: projectPath('node_modules', 'bootstrap3', 'dist', 'css', 'bootstrap.min.css'),
  bootstrap4: projectPath('node_modules', 'bootstrap4', 'dist', 'css', 'bootstrap.min.css'),
};

const VIEWS: Record<string, string> = { hyperv: '/pages/hyperv', restore: '/pages/hyperv-restore', live: '/pages/live' };
const APIS: Record<string, { method: 'GET' | 'POST'; path: (q: URLSearchParams) => string; keep: string[] }> = {
  vms: { method: 'GET', path: () => '/api/hyperv/vms', keep: ['job_id'] },
  'backup-points': { method: 'GET', path: () => '/api/hyperv/backup-points', keep: ['vm_id', 'limit', 'offset', 'type'] },
  restores: { method: 'POST', path: () => '/api/hyperv/restores', keep: [] },
  run: { method: 'GET', path: (q) => `/api/runs/${encodeURIComponent(q.get('run') ?? '')}`, keep: [] },
  'run-events': { method: 'GET', path: (q) => `/api/runs/${encodeURIComponent(q.get('run') ?? '')}/events`, keep: ['after'] },
  'run-cancel': { method: 'POST', path: (q) => `/api/runs/${encodeURIComponent(q.get('run') ?? '')}/cancel`, keep: [] },
};

export interface FakeBridgeOptions {
  sidecarUrl: string;
  secret: string;
  clientId: number;
  /** Leave the fragment out (the host page alone), to compare the host's styles with and without it. */
  withoutFragment?: boolean;
  /** The host page's Bootstrap; Bootstrap 4 unless told. */
  theme?: WhmcsTheme;
}

/** As the bridge's templates/page.tpl wraps the fragment: its module link and the session's CSRF token. */
function wrapped(fragment: string): string {
  return `<div class="hypervrestore-bridge" data-hvr-base="index.php?m=hypervrestore" data-hvr-csrf="${CSRF_TOKEN}">${fragment}</div>`;
}

export function hostPage(fragment: string, theme: WhmcsTheme = 'bootstrap4'): string {
  const css = `<link rel="stylesheet" href="/${theme}.min.css">`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Client Area - WHMCS</title>${css}
</head>
<body><nav class="navbar navbar-dark bg-dark"><a class="navbar-brand" href="#">My Hosting</a></nav>
<div class="container mt-3"><div class="row"><aside class="col-md-3"><h2 id="host-heading">Account</h2>
<ul class="list-group"><li class="list-group-item"><a id="host-link" href="#">Services</a></li></ul>
<table class="table" id="host-table"><tr><td>Invoices</td><td>2</td></tr></table>
<button class="btn btn-primary" id="host-button">Open ticket</button><p id="host-text">Host paragraph</p>
<form id="host-form"><fieldset id="host-fieldset"><legend id="host-legend">Search</legend><label id="host-label" for="host-input">Query</label>
<input id="host-input" type="text"><input id="host-check" type="checkbox"><button id="host-plain-button" type="button">Go</button></fieldset></form>
<h3 id="host-h3">Support</h3><ol id="host-ol"><li>One</li></ol><code id="host-code">code</code><span class="badge badge-info" id="host-badge">New</span>
<div class="alert alert-info" id="host-alert">Note</div><div class="progress" id="host-progress"><div class="progress-bar" style="width:50%"></div></div></aside>
<main class="col-md-9">${fragment ? wrapped(fragment) : ''}</main></div></div></body></html>`;
}

async function forward(o: FakeBridgeOptions, method: 'GET' | 'POST', pathAndQuery: string, body?: string) {
  const headers = bridgeHeaders({ method, path: pathAndQuery, clientId: o.clientId, secret: o.secret, body: body ?? '' });
  const res = await fetch(o.sidecarUrl + pathAndQuery, {
    method, body: method === 'POST' ? body ?? '' : undefined,
    headers: { ...headers, ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}) },
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? 'text/plain', body: await res.text() };
}

function pick(q: URLSearchParams, keep: string[]): string {
  const out = new URLSearchParams();
  for (const k of keep) if (q.has(k)) out.set(k, q.get(k) ?? '');
  const text = out.toString();
  return text ? `?${text}` : '';
}

async function handle(route: Route, o: FakeBridgeOptions): Promise<void> {
  const req = route.request();
  const url = new URL(req.url());
  const theme = o.theme ?? 'bootstrap4';
  if (url.pathname === `/${theme}.min.css`) return route.fulfill({ status: 200, contentType: 'text/css', body: readFileSync(BOOTSTRAP_CSS[theme], 'utf8') });
  const q = url.searchParams;
  if (url.pathname !== '/index.php' || q.get('m') !== 'hypervrestore') return route.fulfill({ status: 404, body: 'not found' });
  if (q.has('view')) {
    const view = VIEWS[q.get('view') ?? ''];
    if (!view) return route.fulfill({ status: 404, body: 'unknown view' });
    const params = new URLSearchParams(q);
    params.delete('m');
    params.delete('view');
    // As the bridge does (Theme.php): the theme's Bootstrap goes with every page request.
    params.set('theme', theme);
    const res = await forward(o, 'GET', view + (params.toString() ? `?${params}` : ''));
    return route.fulfill({ status: res.status, contentType: 'text/html; charset=utf-8', body: hostPage(o.withoutFragment ? '' : res.body, theme) });
  }
  if (q.has('asset')) {
    const res = await forward(o, 'GET', `/assets/${q.get('asset')}`);
    return route.fulfill({ status: res.status, contentType: res.contentType, body: res.body });
  }
  const api = APIS[q.get('api') ?? ''];
  if (!api || api.method !== req.method()) return route.fulfill({ status: 404, contentType: 'application/json', body: '{"status":"fail","message":"Not found"}' });
  if (api.method === 'POST' && req.headers()['x-csrf-token'] !== CSRF_TOKEN) {
    return route.fulfill({ status: 403, contentType: 'application/json', body: '{"status":"fail","message":"Invalid CSRF token"}' });
  }
  const res = await forward(o, api.method, api.path(q) + pick(q, api.keep), req.postData() ?? undefined);
  return route.fulfill({ status: res.status, contentType: res.contentType, body: res.body });
}

export async function installFakeBridge(page: Page, o: FakeBridgeOptions): Promise<void> {
  await page.route(`${WHMCS_ORIGIN}/**`, (route) => handle(route, o));
}
