// Loads the given backup points and every ancestor they reach through parent_backup_id, in ONE query (a recursive
// CTE), so a listing's query count does not grow with the page size or the chain length. UNION (not UNION ALL)
// drops rows already seen, which also ends the recursion when bad data loops.
import type { Knex } from 'knex';
import { isoTime } from '../db/dialect.js';
import { TABLES } from '../db/tables.js';
import { parseDiskManifests, POINTS as POINTS_TABLE, type BackupPointRow } from '../rows/backup-points.js';
import type { ChainPoint } from './restore-chain.js';

type ChainRow = Pick<BackupPointRow, 'id' | 'vm_id' | 'parent_backup_id' | 'backup_type' | 'manifest_id' | 'disk_manifests' | 'created_at'> & {
  run_status: string | null;
};

function toChainPoint(r: ChainRow): ChainPoint {
  return {
    id: Number(r.id),
    vmId: Number(r.vm_id),
    parentId: r.parent_backup_id === null ? null : Number(r.parent_backup_id),
    backupType: r.backup_type,
    manifestId: r.manifest_id,
    diskManifests: parseDiskManifests(r.disk_manifests),
    runStatus: r.run_status,
    createdAt: isoTime(r.created_at),
  };
}

export async function loadChainPoints(db: Knex, pointIds: readonly number[]): Promise<Map<number, ChainPoint>> {
  if (pointIds.length === 0) return new Map();
  const rows = (await db
    .withRecursive('hvr_chain', ['id', 'parent_backup_id'], (qb) => {
      qb.select('id', 'parent_backup_id').from(POINTS_TABLE).whereIn('id', [...pointIds])
        .union((u) => {
          u.select('p.id', 'p.parent_backup_id').from(`${POINTS_TABLE} as p`).join('hvr_chain as c', 'p.id', 'c.parent_backup_id');
        });
    })
    .select('bp.id', 'bp.vm_id', 'bp.parent_backup_id', 'bp.backup_type', 'bp.manifest_id', 'bp.disk_manifests', 'bp.created_at', 'r.status as run_status')
    .from(`${POINTS_TABLE} as bp`)
    .leftJoin(`${TABLES.runs} as r`, 'r.id', 'bp.run_id')
    .whereIn('bp.id', db.select('id').from('hvr_chain'))) as ChainRow[];
  return new Map(rows.map((r) => [Number(r.id), toChainPoint(r)]));
}
