// Handlebars helpers for the client pages and the admin pages (one instance, views/render.ts). Registered
// explicitly (no auto-discovery) so a template can only use these.
import type { HelperDelegate, HelperOptions } from 'handlebars';
import Handlebars from 'handlebars';
import { ADMIN_MODULE_LINK } from './links.js';
import { formatBytes } from '../lib/format-bytes.js';

/** What a page shows for a missing value: the client pages '—'; the admin pages render with `data.emptyText` '-'. */
export const CLIENT_EMPTY_TEXT = '—';
export const ADMIN_EMPTY_TEXT = '-';

const emptyText = (options: HelperOptions): string => {
  const text: unknown = (options.data as { emptyText?: unknown } | undefined)?.emptyText;
  return typeof text === 'string' ? text : CLIENT_EMPTY_TEXT;
};
const isEmpty = (value: unknown): boolean => value === null || value === undefined || value === '';

/** Byte counts as the event texts show them (the browser loads the same compiled module). */
export function bytesText(value: unknown, empty = CLIENT_EMPTY_TEXT): string {
  return isEmpty(value) ? empty : formatBytes(Number(value));
}

/** A stored UTC time ('YYYY-MM-DD HH:MM:SS' or ISO) -> ISO 8601 with Z, for <time datetime> and the browser. */
export function isoTime(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  const date = new Date(text.includes('T') ? text : text.replace(' ', 'T') + 'Z');
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** Server-side fallback text for a time the browser then shows in the viewer's locale and zone. */
export function utcText(value: unknown): string {
  const iso = isoTime(value);
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—';
}

/** JSON that is safe inside <script type="application/json">: no "<", ">", "&" or line separators survive. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STATUS_CLASS: Record<string, string> = {
  success: 'success', warning: 'warning', failed: 'danger', cancelled: 'default', running: 'info', starting: 'info', queued: 'primary',
};

/** `{{link "action" "run" "run_id" id}}` -> addonmodules.php?module=hypervrestore&action=run&run_id=5 (empty values left out). */
function adminLink(...args: unknown[]): Handlebars.SafeString {
  const pairs = args.slice(0, -1);
  let url = ADMIN_MODULE_LINK;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const value = pairs[i + 1];
    if (!isEmpty(value)) url += `&${encodeURIComponent(String(pairs[i]))}=${encodeURIComponent(String(value))}`;
  }
  // Values are URI-encoded above, so escaping & is all HTML needs.
  return new Handlebars.SafeString(url.replace(/&/g, '&amp;'));
}

const HELPERS: Record<string, HelperDelegate> = {
  bytes: (value: unknown, options: HelperOptions) => bytesText(value, emptyText(options)),
  isoTime: (value: unknown) => isoTime(value),
  utcText: (value: unknown) => utcText(value),
  json: (value: unknown) => new Handlebars.SafeString(scriptJson(value)),
  eq: (a: unknown, b: unknown) => a === b,
  plural: (count: unknown, one: string, many: string) => (Number(count) === 1 ? one : many),
  // The admin pages' own: a stored time as written, a percentage, a status's Bootstrap class, a module link.
  date: (iso: unknown, options: HelperOptions) => (typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : emptyText(options)),
  pct: (n: unknown, options: HelperOptions) => (typeof n === 'number' ? `${n.toFixed(1)}%` : emptyText(options)),
  statusClass: (status: unknown) => STATUS_CLASS[String(status)] ?? 'default',
  // The client pages' own: `{{ui "btnPrimary"}}` or `{{ui "badge-" tone}}`, the theme's classes for a part
  // (page-models.ts Frame.ui; '' in the pages' own look).
  ui: (...args: unknown[]) => {
    const options = args.pop() as HelperOptions;
    const ui = (options.data as { root?: { frame?: { ui?: Record<string, string> } } } | undefined)?.root?.frame?.ui;
    return ui?.[args.map(String).join('')] ?? '';
  },
  link: adminLink,
};

export function registerHelpers(hbs: typeof Handlebars): void {
  for (const [name, fn] of Object.entries(HELPERS)) hbs.registerHelper(name, fn);
}
