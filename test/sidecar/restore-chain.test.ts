import assert from 'node:assert/strict';
import { buildRestoreChain, type ChainPoint } from '../../sidecar/services/restore-chain.js';

const DISKS = { 'C:\\VM\\a.vhdx': 'm-a', 'C:\\VM\\b.vhdx': 'm-b' };

function pt(id: number, type: string, parentId: number | null, over: Partial<ChainPoint> = {}): ChainPoint {
  return { id, vmId: 1, parentId, backupType: type, manifestId: `m${id}`, diskManifests: DISKS, runStatus: 'success', createdAt: null, ...over };
}
const map = (...points: ChainPoint[]) => new Map(points.map((p) => [p.id, p]));

interface Case {
  name: string;
  points: ChainPoint[];
  start: number;
  disks?: string[];
  chain?: number[];
  reason?: string;
}

const CASES: Case[] = [
  { name: 'a Full alone', points: [pt(1, 'Full', null)], start: 1, chain: [1] },
  { name: 'a Full whose run ended warning', points: [pt(1, 'Full', null, { runStatus: 'warning' })], start: 1, chain: [1] },
  { name: 'Full -> Incremental -> Incremental', points: [pt(1, 'Full', null), pt(2, 'Incremental', 1), pt(3, 'Incremental', 2)], start: 3, chain: [1, 2, 3] },
  { name: 'a chain of 30', points: Array.from({ length: 30 }, (_, i) => pt(i + 1, i === 0 ? 'Full' : 'Incremental', i === 0 ? null : i)), start: 30, chain: Array.from({ length: 30 }, (_, i) => i + 1) },
  { name: 'a filter naming only disks every member has', points: [pt(1, 'Full', null, { diskManifests: { 'C:\\VM\\a.vhdx': 'x' } }), pt(2, 'Incremental', 1)], start: 2, disks: ['C:\\VM\\a.vhdx'], chain: [1, 2] },
  { name: 'an Incremental with a NULL parent', points: [pt(2, 'Incremental', null)], start: 2, reason: 'Incremental point #2 has no parent point (it was deleted)' },
  { name: 'a missing parent', points: [pt(3, 'Incremental', 2)], start: 3, reason: 'the parent point #2 of point #3 no longer exists' },
  { name: 'a parent of another VM', points: [pt(1, 'Full', null, { vmId: 9 }), pt(2, 'Incremental', 1)], start: 2, reason: 'the parent point #1 of point #2 belongs to another VM' },
  { name: 'a loop', points: [pt(2, 'Incremental', 3), pt(3, 'Incremental', 2)], start: 3, reason: 'the points from #2 loop back to #3' },
  { name: 'a point that is its own parent', points: [pt(4, 'Incremental', 4)], start: 4, reason: 'the points from #4 loop back to #4' },
  { name: 'a chain ending at an Incremental without parent', points: [pt(1, 'Incremental', null), pt(2, 'Incremental', 1)], start: 2, reason: 'Incremental point #1 has no parent point (it was deleted)' },
  { name: 'a member whose run failed', points: [pt(1, 'Full', null, { runStatus: 'failed' }), pt(2, 'Incremental', 1)], start: 2, reason: 'the backup run of point #1 did not succeed (status: failed)' },
  { name: 'a member whose run is still running', points: [pt(1, 'Full', null), pt(2, 'Incremental', 1, { runStatus: 'running' }), pt(3, 'Incremental', 2)], start: 3, reason: 'the backup run of point #2 did not succeed (status: running)' },
  { name: 'a member whose run is gone', points: [pt(1, 'Full', null, { runStatus: null }), pt(2, 'Incremental', 1)], start: 2, reason: 'the backup run of point #1 did not succeed (status: unknown)' },
  { name: 'a member without a manifest for a selected disk', points: [pt(1, 'Full', null, { diskManifests: { 'C:\\VM\\a.vhdx': 'x' } }), pt(2, 'Incremental', 1)], start: 2, reason: 'point #1 has no snapshot of disk C:\\VM\\b.vhdx' },
  { name: 'a point without disks', points: [pt(1, 'Full', null, { diskManifests: {} })], start: 1, reason: 'point #1 has no disk snapshots' },
  { name: 'an unknown type', points: [pt(1, 'Differential', null)], start: 1, reason: 'point #1 has an unknown backup type "Differential"' },
  { name: 'a missing start point', points: [], start: 5, reason: 'point #5 does not exist' },
];

describe('Restore chain builder', function () {
  for (const c of CASES) {
    it(c.chain ? `Can build the chain of ${c.name}` : `Rejects ${c.name}`, () => {
      const result = buildRestoreChain(c.start, map(...c.points), c.disks);
      if (c.chain) assert.deepEqual(result.ok ? result.members.map((m) => m.id) : result, c.chain);
      else assert.deepEqual(result, { ok: false, reason: c.reason });
    });
  }
});
