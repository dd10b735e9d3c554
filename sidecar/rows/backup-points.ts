// s3_hyperv_backup_points: the one row type of a backup point. Each query selects the columns it needs (a listing
// reads thousands of rows) and types its rows as a Pick of this, plus whatever its joins add.
import { parseJsonColumn } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';

export const POINTS = TABLES.points;

export interface BackupPointRow {
  id: number | string;
  vm_id: number | string;
  run_id: number | string;
  parent_backup_id: number | string | null;
  backup_type: string;
  manifest_id: string | null;
  /** JSON `{"<disk path>": "<manifest id>"}`: read it with parseDiskManifests. */
  disk_manifests: unknown;
  total_size_bytes: number | string | null;
  changed_size_bytes: number | string | null;
  duration_seconds: number | string | null;
  consistency_level: string | null;
  created_at: unknown;
  has_warnings: number | boolean | null;
  warning_code: string | null;
  warnings_json: unknown;
}

/** `{"<disk path>": "<manifest id>"}`; anything else in the column reads as no disks. */
export function parseDiskManifests(value: unknown): Record<string, string> {
  const parsed = parseJsonColumn<unknown>(value, {});
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}
