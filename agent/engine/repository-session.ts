// A read-only connection to one repository for one restore command: a private kopia folder inside workDir, the
// loopback kopia server started on first use and shared by the disks, everything removed again on close (the
// folder holds kopia's config, which for S3 contains the keys).
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createPlatform } from '../platform/current.js';
import { connectRepository, createKopiaContext } from './kopia.js';
import { startKopiaServer, type KopiaServer } from './kopia-server.js';
import { findDiskSource, restoreDisk } from './restore-disk.js';
import { RestoreError, type RepositoryOptions, type RepositorySession } from './types.js';

export async function openRepository(options: RepositoryOptions): Promise<RepositorySession> {
  await mkdir(options.workDir, { recursive: true, mode: 0o700 });
  const dir = join(options.workDir, `kopia-${randomBytes(6).toString('hex')}`);
  const ctx = await createKopiaContext(options.kopiaPath, dir, options.password);
  // Ends the server when the owner aborts the whole session (e.g. the agent stops).
  const sessionStop = new AbortController();
  const onAbort = () => sessionStop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await connectRepository(ctx, options.repository, options.signal);
  } catch (error) {
    options.signal?.removeEventListener('abort', onAbort);
    await rm(dir, { recursive: true, force: true });
    throw options.signal?.aborted ? new RestoreError('CANCELLED', 'Restore cancelled') : error;
  }
  let server: Promise<KopiaServer> | null = null;
  const getServer = () => (server ??= startKopiaServer(ctx, sessionStop.signal));
  // Opening the repository costs a second or more against remote storage: let the server do it while the first
  // disk's manifest is looked up. A failure here surfaces (as the fallback notice) when a disk asks for it.
  if (!options.forceKopiaRestore) getServer().catch(() => undefined);
  let closed = false;
  const platform = options.platform ?? createPlatform();
  return {
    restoreDisk: (request) => {
      if (closed) return Promise.reject(new RestoreError('REPOSITORY_UNAVAILABLE', 'The repository session is closed'));
      return restoreDisk({ ctx, server: getServer, forceKopiaRestore: options.forceKopiaRestore ?? false, platform }, request);
    },
    diskSize: async (manifestId, expectedFileName, signal) => {
      if (closed) throw new RestoreError('REPOSITORY_UNAVAILABLE', 'The repository session is closed');
      return (await findDiskSource(ctx, manifestId, expectedFileName, signal)).size;
    },
    close: async () => {
      closed = true;
      options.signal?.removeEventListener('abort', onAbort);
      sessionStop.abort();
      if (server) await server.then((s) => s.stop(), () => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
