// Which look the client pages take. Demo mode (and a bridge that names no theme) uses the pages' own scoped styles;
// inside a WHMCS theme the pages wear that theme's Bootstrap classes instead, so they look like its own pages: Six
// is Bootstrap 3, Twenty-One Bootstrap 4. The bridge says which with `theme=` on the page request (signed with it).
// restore.css styles the `hvr-*` look classes only in the own look (`.hvr--own`); layout Bootstrap lacks (phone
// tables, the step line, the event feed) is styled in every look.

export const HOST_THEMES = ['bootstrap3', 'bootstrap4'] as const;
export type HostTheme = (typeof HOST_THEMES)[number];
export type PageTheme = HostTheme | 'own';

export const isHostTheme = (value: unknown): value is HostTheme => typeof value === 'string' && (HOST_THEMES as readonly string[]).includes(value);

/** The badge and bar tones the pages use (run-labels.ts, the VM state, the point types). */
const TONES = ['ok', 'warn', 'error', 'info', 'neutral', 'full', 'incr'] as const;
type Tone = (typeof TONES)[number];

/** Each tone's Bootstrap context word; `neutral` is `default` on 3 and `secondary` on 4. */
const CONTEXT: Record<Tone, string> = { ok: 'success', warn: 'warning', error: 'danger', info: 'info', neutral: '', full: 'primary', incr: 'info' };

interface Flavour {
  badge(context: string): string;
  bar(context: string): string;
  parts: Record<string, string>;
}

const FLAVOURS: Record<HostTheme, Flavour> = {
  bootstrap3: {
    badge: (c) => `label label-${c || 'default'}`,
    bar: (c) => (c ? `progress-bar-${c}` : ''),
    parts: {
      card: 'panel panel-default', cardHeader: 'panel-heading', cardBody: 'panel-body', cardTitle: 'panel-title',
      btn: 'btn btn-default', btnPrimary: 'btn btn-primary', btnDanger: 'btn btn-danger', btnLink: 'btn btn-link btn-sm',
      table: 'table table-condensed', input: 'form-control', field: 'form-group', label: 'control-label', help: 'help-block',
      fieldError: 'help-block text-danger', muted: 'text-muted',
    },
  },
  bootstrap4: {
    badge: (c) => `badge badge-${c || 'secondary'}`,
    bar: (c) => (c ? `bg-${c}` : ''),
    parts: {
      card: 'card', cardHeader: 'card-header', cardBody: 'card-body', cardTitle: 'card-title',
      btn: 'btn btn-outline-secondary', btnPrimary: 'btn btn-primary', btnDanger: 'btn btn-outline-danger', btnLink: 'btn btn-link btn-sm',
      table: 'table table-sm', input: 'form-control', field: 'form-group', label: '', help: 'form-text text-muted',
      fieldError: 'form-text text-danger', muted: 'text-muted',
    },
  },
};

const ALERTS = { alertError: 'alert alert-danger', alertWarn: 'alert alert-warning', alertInfo: 'alert alert-info' };
const SHARED = { ...ALERTS, progress: 'progress', progressBar: 'progress-bar' };

/**
 * The extra classes of each named part in one look ('' everywhere in the own look), e.g. `btnPrimary`,
 * `badge-ok`, `bar-error`. Templates read it with `{{ui "btnPrimary"}}`; the page scripts get the same table.
 */
export function themeClasses(theme: PageTheme): Record<string, string> {
  const flavour = theme === 'own' ? null : FLAVOURS[theme];
  const names = [...Object.keys(FLAVOURS.bootstrap3.parts), ...Object.keys(SHARED), ...TONES.flatMap((t) => [`badge-${t}`, `bar-${t}`])];
  if (!flavour) return Object.fromEntries(names.map((n) => [n, '']));
  const tones = TONES.flatMap((t) => [[`badge-${t}`, flavour.badge(CONTEXT[t])], [`bar-${t}`, flavour.bar(CONTEXT[t])]]);
  return { ...flavour.parts, ...SHARED, ...Object.fromEntries(tones) };
}
