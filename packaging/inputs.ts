// Where the packager finds what it packs: the checkout, and the pinned node.exe and kopia.exe that the scripts
// fetch or build into the cache shared by every checkout (the same ones the Windows tests run).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/packaging/ -> the checkout. */
export function repositoryRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function scriptOutput(root: string, script: string): string {
  return execFileSync('bash', [join(root, 'scripts', script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export const windowsNode = (root: string): string => scriptOutput(root, 'ensure-node-win.sh');
export const windowsKopia = (root: string): string => scriptOutput(root, 'ensure-kopia-exe.sh');
