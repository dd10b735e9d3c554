// Where the page sources live. Both `sidecar/views/*.ts` (ts-node style) and `dist/sidecar/views/*.js` sit three
// levels below a folder that holds templates/, so the project root is found by walking up to it.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'templates', 'pages'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`templates/ not found above ${start}`);
}

export const PROJECT_ROOT = findRoot(resolve(fileURLToPath(new URL('.', import.meta.url))));
export const TEMPLATES_DIR = join(PROJECT_ROOT, 'templates');
