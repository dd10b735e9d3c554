import type { Knex } from 'knex';

/** One schema step. `up` must be guarded (hasTable/hasColumn/index checks): it never drops, renames or retypes. */
export interface Migration {
  id: string;
  up(db: Knex): Promise<void>;
}

export interface ColumnDef {
  name: string;
  build(t: Knex.CreateTableBuilder): void;
  /** Created with a new table, but never added to an existing one: the restore does not use it. */
  onlyOnCreate?: boolean;
}

export interface TableDef {
  name: string;
  columns: ColumnDef[];
  /** Table-level constraints for a new table (unique keys, composite indexes). */
  extras?(t: Knex.CreateTableBuilder): void;
}

/** Creates the table when missing; otherwise adds the columns the restore needs that are missing. */
export async function ensureTable(db: Knex, def: TableDef): Promise<void> {
  if (!(await db.schema.hasTable(def.name))) {
    await db.schema.createTable(def.name, (t) => {
      for (const column of def.columns) column.build(t);
      def.extras?.(t);
    });
    return;
  }
  for (const column of def.columns) {
    if (column.onlyOnCreate || (await db.schema.hasColumn(def.name, column.name))) continue;
    await db.schema.alterTable(def.name, (t) => column.build(t));
  }
}
