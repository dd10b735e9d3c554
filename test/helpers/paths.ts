import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository root (tests run from dist/test/..., sources and sql/ live at the root). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const projectPath = (...parts: string[]): string => resolve(PROJECT_ROOT, ...parts);
