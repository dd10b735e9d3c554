// Handlebars helpers for the pages. Registered explicitly (no auto-discovery) so a template can only use these.
import type { HelperDelegate } from 'handlebars';
import Handlebars from 'handlebars';
import { formatBytes } from '../lib/format-bytes.js';

/** Byte counts as the event texts show them (the browser loads the same compiled module). */
export function bytesText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  return formatBytes(Number(value));
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

const HELPERS: Record<string, HelperDelegate> = {
  bytes: (value: unknown) => bytesText(value),
  isoTime: (value: unknown) => isoTime(value),
  utcText: (value: unknown) => utcText(value),
  json: (value: unknown) => new Handlebars.SafeString(scriptJson(value)),
  eq: (a: unknown, b: unknown) => a === b,
  plural: (count: unknown, one: string, many: string) => (Number(count) === 1 ? one : many),
};

export function registerHelpers(hbs: typeof Handlebars): void {
  for (const [name, fn] of Object.entries(HELPERS)) hbs.registerHelper(name, fn);
}
