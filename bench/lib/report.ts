// Every benchmark prints a table for people and then one line of JSON for machines (the last stdout line).
export type Cell = string | number;

function text(cell: Cell): string {
  if (typeof cell === 'string') return cell;
  return Number.isInteger(cell) ? String(cell) : cell.toFixed(cell < 10 ? 2 : 1);
}

export function printTable(title: string, header: string[], rows: Cell[][]): void {
  const cells = [header, ...rows.map((r) => r.map(text))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of cells.slice(1)) console.log(line(r));
}

export function printJson(result: Record<string, unknown>): void {
  console.log(JSON.stringify(result));
}

export const progress = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

function rawFlag(name: string, envName: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return at === -1 ? process.env[envName] : (args[at]?.includes('=') ? args[at]?.split('=')[1] : args[at + 1]);
}

function checkedNumber(name: string, envName: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new Error(`--${name} (${envName}) must be a number 0 or more, got "${raw}"`);
  return value;
}

/** Reads a numeric flag `--name=value` or `--name value`, else the environment variable, else the default. */
export function numberFlag(name: string, envName: string, fallback: number): number {
  const raw = rawFlag(name, envName);
  return raw === undefined || raw === '' ? fallback : checkedNumber(name, envName, raw);
}

/** Like numberFlag, for a comma-separated list (`--latency 25,0`). */
export function numberListFlag(name: string, envName: string, fallback: number[]): number[] {
  const raw = rawFlag(name, envName);
  return raw === undefined || raw === '' ? fallback : raw.split(',').map((part) => checkedNumber(name, envName, part));
}

/** A comma-separated subset of `choices` (`--scenarios first,floor`); unknown names are refused. */
export function choiceListFlag<T extends string>(name: string, envName: string, choices: readonly T[], fallback: readonly T[] = choices): T[] {
  const raw = rawFlag(name, envName);
  if (raw === undefined || raw === '') return [...fallback];
  const picked = raw.split(',').map((part) => part.trim());
  const unknown = picked.filter((p) => !(choices as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--${name} (${envName}) takes ${choices.join(', ')}; got "${unknown.join(', ')}"`);
  return picked as T[];
}
