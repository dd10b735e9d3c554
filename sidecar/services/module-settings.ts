// Settings of the WHMCS cloudstorage module (tbladdonmodules: module, setting, value). Read, never written: they
// are the module's. A database without the table (a fresh or embedded one) simply has no settings.
import type { Knex } from 'knex';
import { TABLES } from '../db/tables.js';

export const CLOUDSTORAGE_MODULE = 'cloudstorage';

/** The named settings that are set to a non-empty value. */
export async function readModuleSettings(db: Knex, names: readonly string[]): Promise<Map<string, string>> {
  if (!(await db.schema.hasTable(TABLES.addonSettings))) return new Map();
  const rows = (await db(TABLES.addonSettings).where('module', CLOUDSTORAGE_MODULE).whereIn('setting', [...names])
    .select('setting', 'value')) as { setting: string; value: string | null }[];
  const out = new Map<string, string>();
  for (const { setting, value } of rows) if (typeof value === 'string' && value.trim() !== '') out.set(setting, value); // as stored: a key's spaces are part of it
  return out;
}

/** The first of `names` that is set. */
export function firstSetting(settings: ReadonlyMap<string, string>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = settings.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}
