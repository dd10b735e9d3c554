// Which file object a disk snapshot holds: its root must be a single file of the expected name, or a directory
// holding exactly one such file (reference-system.md treats both alike).
import { RestoreError } from './types.js';
import { MANIFEST_ID_PATTERN } from '../../sidecar/schemas/agent.js';
import { readSnapshotManifest, spawnKopia, type KopiaContext, type SnapshotManifest } from './kopia.js';

export interface DiskSource {
  objectId: string;
  size: number;
  /** What `kopia snapshot restore` takes to restore just this file. */
  restoreSource: string;
}

interface DirectoryEntry {
  name?: unknown;
  type?: unknown;
  obj?: unknown;
  size?: unknown;
}

/** The disk's file in its snapshot: metadata only, no disk data is read. */
export async function findDiskSource(ctx: KopiaContext, manifestId: string, expectedFileName: string, signal: AbortSignal): Promise<DiskSource> {
  const manifest = await readSnapshotManifest(ctx, manifestId, signal);
  if (!manifest) throw new RestoreError('SNAPSHOT_NOT_FOUND', `Snapshot ${manifestId} was not found in the repository`);
  return resolveDiskSource(ctx, manifest, expectedFileName, signal);
}

/** A disk of a restore command: which snapshot, and the file name its root must have. */
export interface DiskRef {
  manifestId: string;
  expectedFileName: string;
}

const MANIFEST_ID = new RegExp(MANIFEST_ID_PATTERN);
const FILE_NAME = /^[^\\/:*?"<>|\0]+$/;

/** Why the reference cannot name a disk snapshot, before kopia is asked; null when it can. */
export function diskRefProblem({ manifestId, expectedFileName }: DiskRef): RestoreError | null {
  if (!MANIFEST_ID.test(manifestId)) return new RestoreError('SNAPSHOT_NOT_FOUND', `"${manifestId.slice(0, 64)}" is not a snapshot manifest id`);
  if (!FILE_NAME.test(expectedFileName) || expectedFileName === '.' || expectedFileName === '..') {
    return new RestoreError('SNAPSHOT_NOT_A_DISK', `"${expectedFileName}" is not a plain file name`);
  }
  return null;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase(); // Windows names ignore case

export async function resolveDiskSource(ctx: KopiaContext, manifest: SnapshotManifest, expectedFileName: string,
  signal: AbortSignal): Promise<DiskSource> {
  const root = manifest.rootEntry;
  if (root.type === 'f') {
    if (!sameName(root.name, expectedFileName)) throw notADisk(manifest.id, `holds "${root.name}", expected "${expectedFileName}"`);
    return { objectId: root.obj, size: root.size, restoreSource: manifest.id };
  }
  if (root.type !== 'd') throw notADisk(manifest.id, `its root is neither a file nor a folder (type ${root.type})`);
  const entries = await listDirectory(ctx, root.obj, signal);
  if (entries.length !== 1) throw notADisk(manifest.id, `its folder holds ${entries.length} entries, expected one file`);
  const entry = entries[0];
  if (entry.type !== 'f' || typeof entry.name !== 'string' || typeof entry.obj !== 'string' || !sameName(entry.name, expectedFileName)) {
    throw notADisk(manifest.id, `its folder holds "${String(entry.name)}", expected the file "${expectedFileName}"`);
  }
  return { objectId: entry.obj, size: Number(entry.size ?? 0), restoreSource: `${root.obj}/${entry.name}` };
}

async function listDirectory(ctx: KopiaContext, objectId: string, signal: AbortSignal): Promise<DirectoryEntry[]> {
  const result = await spawnKopia(ctx, ['show', objectId], signal);
  if (signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
  if (result.exitCode !== 0) throw new RestoreError('KOPIA_FAILED', `Cannot read the snapshot folder ${objectId}`);
  const listing = JSON.parse(String(result.stdout)) as { stream?: unknown; entries?: unknown };
  if (listing.stream !== 'kopia:directory' || !Array.isArray(listing.entries)) {
    throw new RestoreError('KOPIA_FAILED', `Snapshot folder ${objectId} is not a kopia directory listing`);
  }
  return listing.entries as DirectoryEntry[];
}

function notADisk(manifestId: string, detail: string): RestoreError {
  return new RestoreError('SNAPSHOT_NOT_A_DISK', `Snapshot ${manifestId} is not a single disk file: ${detail}`);
}
