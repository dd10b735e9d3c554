// One disk: check the snapshot, the target and the free space, restore into `<target>.partial` (chunks in parallel
// through the loopback kopia server, or kopia's own restore as the fallback), verify, fsync, move into place.
// Whatever goes wrong, including cancel, the `.partial` this call created is deleted.
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentPlatform, FolderFacts } from '../platform/platform.js';
import { readChunkMap, groupByObject, type Chunk } from './chunk-map.js';
import { diskRefProblem, type DiskSource } from './disk-source.js';
import { kopiaRestoreFile, type KopiaContext } from './kopia.js';
import type { KopiaServer } from './kopia-server.js';
import { writeChunksInOrder } from './ordered-writer.js';
import { isAllZero, writeChunksInParallel } from './parallel-writer.js';
import { assertFreeSpace, assertTargetFree, createPartial, finishPartial, partialPath, removePartial } from './partial-file.js';
import { RestoreError, type DiskRestoreRequest, type DiskRestoreResult } from './types.js';

export interface DiskRestoreDeps {
  ctx: KopiaContext;
  /** The disk's file in its snapshot (the session looks each one up once). */
  findSource(manifestId: string, expectedFileName: string, signal: AbortSignal): Promise<DiskSource>;
  /** The session's loopback server; rejects when it cannot be started. */
  server(): Promise<KopiaServer>;
  forceKopiaRestore: boolean;
  platform: AgentPlatform;
}

const PROGRESS_INTERVAL_MS = 500;
const MAX_PARALLELISM = 32;

interface ParallelPlan {
  server: KopiaServer;
  chunks: Chunk[];
  knownZero: Set<string>;
}

export async function restoreDisk(deps: DiskRestoreDeps, request: DiskRestoreRequest): Promise<DiskRestoreResult> {
  const { platform } = deps;
  const { source, plan, folder } = await prepare(deps, request);
  let bytesDone = 0;
  const report = () => {
    try {
      request.onProgress?.({ bytesDone, bytesTotal: source.size });
    } catch {
      // A failing progress sink (e.g. the sidecar is down) must not stop or crash the restore.
    }
  };
  report();
  const timer = setInterval(report, PROGRESS_INTERVAL_MS);
  let file: FileHandle | null = null;
  let created = false; // only a .partial this call created is ever deleted
  try {
    file = await createPartial(request.targetFile, source.size, platform, folder);
    created = true;
    await request.onPartialCreated?.();
    const setDone = (n: number) => { bytesDone = n; };
    const result = plan
      ? await restoreParallel(plan, file, request, setDone, platform)
      : await restoreWithKopia(deps, source, file, request, setDone);
    await file.close();
    file = null;
    throwIfCancelled(request.signal);
    await request.beforeCommit?.();
    throwIfCancelled(request.signal);
    const leftOver = await finishPartial(request.targetFile, source.size, platform, folder);
    if (leftOver) request.onNotice?.({ code: 'PARTIAL_LEFT', message: leftOver });
    bytesDone = source.size;
    report();
    return { bytesTotal: source.size, ...result };
  } catch (error) {
    await file?.close().catch(() => undefined);
    if (created) await removePartial(request.targetFile, platform);
    if (request.signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
    throw error;
  } finally {
    clearInterval(timer);
  }
}

/** Every check that can fail before a byte is written: request, target (and its folder's attributes), snapshot,
 * chunk map, free space. */
async function prepare(deps: DiskRestoreDeps, request: DiskRestoreRequest): Promise<{ source: DiskSource; plan: ParallelPlan | null; folder: FolderFacts }> {
  validateRequest(request);
  await assertTargetFree(request.targetFile);
  // Before any fetch: an encrypted folder is refused here, and what else it does to new files is known.
  const folder = await deps.platform.inspectTargetFolder(dirname(request.targetFile));
  if (!folder.checked) {
    request.onNotice?.({
      code: 'ATTRIBUTES_UNCHECKED',
      message: `The target folder's file attributes could not be read (${folder.reason ?? 'unknown reason'}), so the agent cannot make sure the disk is not compressed or encrypted, which Hyper-V refuses; check it before attaching it.`,
    });
  }
  const source = await deps.findSource(request.manifestId, request.expectedFileName, request.signal);
  if (deps.forceKopiaRestore) {
    request.onNotice?.({ code: 'PARALLEL_UNAVAILABLE', message: 'Parallel restore is turned off; using kopia snapshot restore instead.' });
  }
  const plan = deps.forceKopiaRestore ? null : await planParallel(deps, source, request);
  // Zero chunks become holes on Linux, so they need no space there (kopia's --write-sparse-files too, but there it is
  // unknown); an NTFS file without the sparse flag allocates every byte.
  const zeroBytes = plan ? plan.chunks.filter((c) => plan.knownZero.has(c.objectId)).reduce((sum, c) => sum + c.length, 0) : 0;
  await assertFreeSpace(request.targetFile, deps.platform.spaceNeeded(source.size, zeroBytes));
  throwIfCancelled(request.signal);
  return { source, plan, folder };
}

function validateRequest(request: DiskRestoreRequest): void {
  const problem = diskRefProblem(request);
  if (problem) throw problem;
  throwIfCancelled(request.signal);
}

/** The chunk map plus a probe of the most repeated chunk (large zero regions share one object id). */
async function planParallel(deps: DiskRestoreDeps, source: DiskSource, request: DiskRestoreRequest): Promise<ParallelPlan | null> {
  try {
    const server = await deps.server();
    const read = (id: string) => server.readObject(id, request.signal);
    const chunks = await readChunkMap(source.objectId, source.size, read);
    const knownZero = new Set<string>();
    const [mostRepeated] = [...groupByObject(chunks).entries()].sort((a, b) => b[1].length - a[1].length);
    if (mostRepeated && mostRepeated[1].length > 1 && isAllZero(await server.readObject(mostRepeated[0], request.signal, Buffer.alloc(mostRepeated[1][0].length)))) {
      knownZero.add(mostRepeated[0]);
    }
    return { server, chunks, knownZero };
  } catch (error) {
    if (request.signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
    if (error instanceof RestoreError && error.code === 'SIZE_MISMATCH') throw error;
    request.onNotice?.({
      code: 'PARALLEL_UNAVAILABLE',
      message: `Parallel restore unavailable (${(error as Error).message}); using kopia snapshot restore instead.`,
    });
    return null;
  }
}

async function restoreParallel(plan: ParallelPlan, file: FileHandle, request: DiskRestoreRequest,
  setDone: (n: number) => void, platform: AgentPlatform): Promise<Omit<DiskRestoreResult, 'bytesTotal'>> {
  const write = platform.writeOrder === 'ascending' ? writeChunksInOrder : writeChunksInParallel;
  const written = await write({
    chunks: plan.chunks,
    file,
    parallelism: Math.min(MAX_PARALLELISM, Math.max(1, Math.floor(request.parallelism))),
    adaptiveParallelism: request.adaptiveParallelism ?? true,
    read: (id, signal, into) => plan.server.readObject(id, signal, into),
    signal: request.signal,
    knownZero: plan.knownZero,
    onBytes: setDone,
  }).catch((error: unknown) => {
    // A failed object read mid-disk means the storage went away or the data is damaged: say so, keep kopia's detail.
    if (request.signal.aborted || !(error instanceof RestoreError) || error.code !== 'KOPIA_FAILED') throw error;
    throw new RestoreError('REPOSITORY_UNAVAILABLE', `Cannot read the backup from the repository (storage unreachable or data damaged): ${error.message}`);
  });
  // The probe read counts as a fetch too.
  return { ...written, chunksFetched: written.chunksFetched + plan.knownZero.size, method: 'parallel' };
}

async function restoreWithKopia(deps: DiskRestoreDeps, source: DiskSource, file: FileHandle, request: DiskRestoreRequest,
  setDone: (n: number) => void): Promise<Omit<DiskRestoreResult, 'bytesTotal'>> {
  await kopiaRestoreFile(deps.ctx, source.restoreSource, partialPath(request.targetFile), request.signal, setDone, deps.platform.kopiaRestoreFlags);
  // Windows' stat has no block count; there every byte is written anyway.
  const { blocks } = await file.stat();
  const bytesWritten = deps.platform.writeOrder === 'sparse' && Number.isFinite(Number(blocks)) ? Number(blocks) * 512 : source.size;
  return { bytesWritten, chunksFetched: 0, chunksSkippedZero: 0, method: 'kopia-restore' };
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
}
