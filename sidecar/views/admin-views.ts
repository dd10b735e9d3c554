// Admin pages (HTML fragments for the WHMCS admin area), compiled with the views' one handlebars instance and shown
// with '-' for a missing value as they always were. Links are relative to WHMCS's addonmodules.php; the bridge fills
// in its CSRF token where the cancel form asks for it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Handlebars from 'handlebars';
import { ADMIN_EMPTY_TEXT } from './helpers.js';
import { ADMIN_MODULE_LINK } from './links.js';
import { TEMPLATES_DIR } from './paths.js';
import { viewEngine } from './render.js';

/**
 * The one element the bridge fills with WHMCS's CSRF token (AdminDispatcher::CSRF_SLOT); the sidecar never sees the
 * token. It is markup only a template can produce: text from runs, VMs, agents or events is escaped, so it can never
 * contain this tag and never receives the token.
 */
export const CSRF_SLOT = '<input type="hidden" name="token" data-hvr-csrf-slot>';

export type AdminView = 'runs' | 'run' | 'agents' | 'vms';

const compiled = new Map<AdminView, Handlebars.TemplateDelegate>();

function template(view: AdminView): Handlebars.TemplateDelegate {
  let t = compiled.get(view);
  if (!t) {
    t = viewEngine.compile(readFileSync(join(TEMPLATES_DIR, 'admin', `${view}.hbs`), 'utf8'));
    compiled.set(view, t);
  }
  return t;
}

export function renderAdmin(view: AdminView, model: Record<string, unknown>): string {
  return template(view)({ ...model, moduleLink: ADMIN_MODULE_LINK, csrfSlot: new viewEngine.SafeString(CSRF_SLOT) }, { data: { emptyText: ADMIN_EMPTY_TEXT } });
}
