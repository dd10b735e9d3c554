// Pure: the restore chain of a backup point, from its Full base to itself, and whether it is complete.
// Terminology: a *point* is one backup (Full or Incremental); its *parent* is the point it was taken on top of.
// A chain is broken when a parent is NULL (the FK sets NULL when a parent is deleted), missing, of another VM,
// when it loops, does not end at a Full, when a member's backup run did not end success/warning, or when a
// member has no manifest for a disk being restored (reference-system.md, "Restore chain rules").

export interface ChainPoint {
  id: number;
  vmId: number;
  parentId: number | null;
  backupType: string;
  manifestId: string | null;
  diskManifests: Record<string, string>;
  runStatus: string | null;
  createdAt: string | null;
}

export type ChainResult = { ok: true; members: ChainPoint[] } | { ok: false; reason: string };

/** Far above any real chain (a daily Incremental for years); only here so bad data cannot spin forever. */
export const MAX_CHAIN_LENGTH = 2000;
const GOOD_RUN = new Set(['success', 'warning']);

function memberProblem(p: ChainPoint, disks: readonly string[]): string | null {
  if (!GOOD_RUN.has(p.runStatus ?? '')) return `the backup run of point #${p.id} did not succeed (status: ${p.runStatus ?? 'unknown'})`;
  if (p.backupType !== 'Full' && p.backupType !== 'Incremental') return `point #${p.id} has an unknown backup type "${p.backupType}"`;
  const lacking = disks.find((d) => !Object.hasOwn(p.diskManifests, d) || !p.diskManifests[d]);
  if (lacking !== undefined) return `point #${p.id} has no snapshot of disk ${lacking}`;
  return null;
}

function parentProblem(p: ChainPoint, parent: ChainPoint | undefined, seen: ReadonlySet<number>): string | null {
  if (p.parentId === null) return `Incremental point #${p.id} has no parent point (it was deleted)`;
  if (!parent) return `the parent point #${p.parentId} of point #${p.id} no longer exists`;
  if (parent.vmId !== p.vmId) return `the parent point #${parent.id} of point #${p.id} belongs to another VM`;
  if (seen.has(parent.id)) return `the points from #${p.id} loop back to #${parent.id}`;
  return null;
}

/**
 * Walks from `pointId` to its Full base through `points` (which must hold every ancestor that exists).
 * `disks`: the disks being restored; defaults to every disk of the point itself.
 */
export function buildRestoreChain(pointId: number, points: ReadonlyMap<number, ChainPoint>, disks?: readonly string[]): ChainResult {
  const start = points.get(pointId);
  if (!start) return { ok: false, reason: `point #${pointId} does not exist` };
  const wanted = disks ?? Object.keys(start.diskManifests);
  if (wanted.length === 0) return { ok: false, reason: `point #${pointId} has no disk snapshots` };
  const members: ChainPoint[] = [];
  const seen = new Set<number>();
  let current = start;
  for (;;) {
    const problem = memberProblem(current, wanted);
    if (problem) return { ok: false, reason: problem };
    members.unshift(current);
    seen.add(current.id);
    if (current.backupType === 'Full') return { ok: true, members };
    if (members.length >= MAX_CHAIN_LENGTH) return { ok: false, reason: `the chain is longer than ${MAX_CHAIN_LENGTH} points` };
    const parent = current.parentId === null ? undefined : points.get(current.parentId);
    const broken = parentProblem(current, parent, seen);
    if (broken) return { ok: false, reason: broken };
    current = parent!;
  }
}
