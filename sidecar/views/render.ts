// One handlebars instance for the sidecar's views, client pages and admin pages (admin-views.ts) alike, with the
// helpers of helpers.ts. templates/ is read and compiled once, at the first createRenderer().
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { registerHelpers } from './helpers.js';
import { TEMPLATES_DIR } from './paths.js';

type Compiled = Handlebars.TemplateDelegate;

export interface Renderer {
  /** The page as an HTML fragment (what the bridge embeds), or inside a full layout when `layout` is given. */
  render(page: string, model: object, layout?: string): string;
}

function compileFolder(hbs: typeof Handlebars, dir: string): Map<string, Compiled> {
  const out = new Map<string, Compiled>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    out.set(basename(file, '.hbs'), hbs.compile(readFileSync(join(dir, file), 'utf8'), { strict: false, noEscape: false }));
  }
  return out;
}

/** The views' handlebars instance: every template is compiled with it, so each sees the same helpers. */
export const viewEngine = Handlebars.create();
registerHelpers(viewEngine);

export function createRenderer(dir: string = TEMPLATES_DIR): Renderer {
  const hbs = viewEngine;
  for (const file of readdirSync(join(dir, 'partials')).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, 'partials', file), 'utf8'));
  }
  const pages = compileFolder(hbs, join(dir, 'pages'));
  const layouts = compileFolder(hbs, join(dir, 'layouts'));
  const pick = (table: Map<string, Compiled>, name: string, kind: string): Compiled => {
    const template = table.get(name);
    if (!template) throw new Error(`unknown ${kind} template "${name}"`);
    return template;
  };
  return {
    render(page, model, layout) {
      const body = pick(pages, page, 'page')(model);
      if (!layout) return body;
      return pick(layouts, layout, 'layout')({ ...model, body: new Handlebars.SafeString(body) });
    },
  };
}

let shared: Renderer | null = null;
/** The process-wide renderer (templates compiled once). */
export function sharedRenderer(): Renderer {
  shared ??= createRenderer();
  return shared;
}
