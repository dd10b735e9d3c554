// Index lookups for the migrations. The migrations stand alone (the sidecar imports them, never the other way
// round), so the dialect test below is their own.
import type { Knex } from 'knex';

const isSqlite = (db: Knex): boolean => ['better-sqlite3', 'sqlite3'].includes(String(db.client.config.client));

/** Whether an index whose leading columns are exactly `columns` exists on `table`. */
export async function hasIndexOn(db: Knex, table: string, columns: string[]): Promise<boolean> {
  const indexes = await listIndexes(db, table);
  return indexes.some((cols) => columns.every((c, i) => cols[i] === c));
}

async function listIndexes(db: Knex, table: string): Promise<string[][]> {
  if (isSqlite(db)) {
    const list = (await db.raw(`PRAGMA index_list(${quoteIdent(table)})`)) as { name: string }[];
    const out: string[][] = [];
    for (const { name } of list) {
      const info = (await db.raw(`PRAGMA index_info(${quoteIdent(name)})`)) as { seqno: number; name: string }[];
      out.push(info.sort((a, b) => a.seqno - b.seqno).map((c) => c.name));
    }
    return out;
  }
  const [rows] = (await db.raw('SHOW INDEX FROM ??', [table])) as [{ Key_name: string; Seq_in_index: number; Column_name: string }[]];
  const byName = new Map<string, string[]>();
  for (const r of [...rows].sort((a, b) => a.Seq_in_index - b.Seq_in_index)) {
    byName.set(r.Key_name, [...(byName.get(r.Key_name) ?? []), r.Column_name]);
  }
  return [...byName.values()];
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
