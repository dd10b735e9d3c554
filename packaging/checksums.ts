// SHA256SUMS in the format of `sha256sum` (and what install.ps1 reads back): "<hex>  <name>", sorted by name.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function renderChecksums(dir: string, names: readonly string[]): string {
  return [...names].sort().map((name) => `${sha256File(join(dir, name))}  ${name}\n`).join('');
}

export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (match) sums.set(match[2] as string, match[1] as string);
  }
  return sums;
}
