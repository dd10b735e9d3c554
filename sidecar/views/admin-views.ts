// Admin pages (HTML fragments for the WHMCS admin area). One private handlebars instance: these templates never
// mix with the client pages. Links are relative to WHMCS's addonmodules.php; the bridge fills in its CSRF token
// where the cancel form asks for it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { formatBytes } from '../lib/format-bytes.js';

export const ADMIN_MODULE_LINK = 'addonmodules.php?module=hypervrestore';
/**
 * The one element the bridge fills with WHMCS's CSRF token (AdminDispatcher::CSRF_SLOT); the sidecar never sees the
 * token. It is markup only a template can produce: text from runs, VMs, agents or events is escaped, so it can never
 * contain this tag and never receives the token.
 */
export const CSRF_SLOT = '<input type="hidden" name="token" data-hvr-csrf-slot>';

export type AdminView = 'runs' | 'run' | 'agents';

const TEMPLATE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates/admin');
const hbs = Handlebars.create();
const compiled = new Map<AdminView, Handlebars.TemplateDelegate>();
const STATUS_CLASS: Record<string, string> = {
  success: 'success', warning: 'warning', failed: 'danger', cancelled: 'default', running: 'info', starting: 'info', queued: 'primary',
};

hbs.registerHelper('bytes', (n: unknown) => (typeof n === 'number' ? formatBytes(n) : '-'));
hbs.registerHelper('date', (iso: unknown) => (typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '-'));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('pct', (n: unknown) => (typeof n === 'number' ? `${n.toFixed(1)}%` : '-'));
hbs.registerHelper('statusClass', (s: unknown) => STATUS_CLASS[String(s)] ?? 'default');
// {{link "action" "run" "run_id" id}} -> addonmodules.php?module=hypervrestore&action=run&run_id=5 (empty values left out)
hbs.registerHelper('link', (...args: unknown[]) => {
  const pairs = args.slice(0, -1);
  let url = ADMIN_MODULE_LINK;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const value = pairs[i + 1];
    if (value !== undefined && value !== null && value !== '') url += `&${encodeURIComponent(String(pairs[i]))}=${encodeURIComponent(String(value))}`;
  }
  // Values are URI-encoded above, so escaping & is all HTML needs.
  return new hbs.SafeString(url.replace(/&/g, '&amp;'));
});

function template(view: AdminView): Handlebars.TemplateDelegate {
  let t = compiled.get(view);
  if (!t) {
    t = hbs.compile(readFileSync(resolve(TEMPLATE_DIR, `${view}.hbs`), 'utf8'));
    compiled.set(view, t);
  }
  return t;
}

export function renderAdmin(view: AdminView, model: Record<string, unknown>): string {
  return template(view)({ ...model, moduleLink: ADMIN_MODULE_LINK, csrfSlot: new hbs.SafeString(CSRF_SLOT) });
}
