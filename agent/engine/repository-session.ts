// A read-only connection to one repository for one restore command: a private kopia folder inside workDir, the
// loopback kopia server started on first use and shared by the disks, everything removed again on close (the
// folder holds kopia's config, which for S3 contains the keys).
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createPlatform } from '../platform/current.js';
import { connectRepository, createKopiaContext, type KopiaContext } from './kopia.js';
import { writeConnectionConfig } from './kopia-config.js';
import { startKopiaServer, type KopiaServer } from './kopia-server.js';
import { DiskLookups } from './disk-lookups.js';
import { restoreDisk } from './restore-disk.js';
import { RestoreError, type RepositoryOptions, type RepositorySession } from './types.js';

export async function openRepository(options: RepositoryOptions): Promise<RepositorySession> {
  await mkdir(options.workDir, { recursive: true, mode: 0o700 });
  const dir = join(options.workDir, `kopia-${randomBytes(6).toString('hex')}`);
  const ctx = await createKopiaContext(options.kopiaPath, dir, options.password);
  // Ends the server when the owner aborts the whole session (e.g. the agent stops).
  const sessionStop = new AbortController();
  const onAbort = () => sessionStop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let server: Promise<KopiaServer> | null = null;
  const getServer = () => (server ??= startKopiaServer(ctx, sessionStop.signal));
  const stopServer = async () => {
    sessionStop.abort();
    if (server) await server.then((s) => s.stop(), () => undefined);
  };
  const lookups = new DiskLookups(ctx, sessionStop.signal);
  try {
    await connect(ctx, options, getServer, lookups);
  } catch (error) {
    options.signal?.removeEventListener('abort', onAbort);
    await stopServer();
    await rm(dir, { recursive: true, force: true });
    throw options.signal?.aborted ? new RestoreError('CANCELLED', 'Restore cancelled') : error;
  }
  let closed = false;
  const platform = options.platform ?? createPlatform();
  return {
    restoreDisk: (request) => {
      if (closed) return Promise.reject(new RestoreError('REPOSITORY_UNAVAILABLE', 'The repository session is closed'));
      const findSource = (manifestId: string, expectedFileName: string, signal: AbortSignal) => lookups.find({ manifestId, expectedFileName }, signal);
      return restoreDisk({ ctx, findSource, server: getServer, forceKopiaRestore: options.forceKopiaRestore ?? false, platform }, request);
    },
    diskSize: async (manifestId, expectedFileName, signal) => {
      if (closed) throw new RestoreError('REPOSITORY_UNAVAILABLE', 'The repository session is closed');
      return (await lookups.find({ manifestId, expectedFileName }, signal)).size;
    },
    close: async () => {
      closed = true;
      options.signal?.removeEventListener('abort', onAbort);
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The repository checked once before any disk: by the loopback server's own open when there is one (it opens the
 * repository anyway, so the session's config is written directly instead of by `kopia repository connect`, which
 * opened it a first time only to check it, docs/performance.md), else by `kopia repository connect`. The disks'
 * snapshots are looked up meanwhile. A server that cannot start is asked why through connect: the repository itself
 * (wrong password, storage unreachable) fails the session with connect's clear words; anything else is kept for the
 * disks' fallback to `kopia snapshot restore`. */
async function connect(ctx: KopiaContext, options: RepositoryOptions, getServer: () => Promise<KopiaServer>, lookups: DiskLookups): Promise<void> {
  if (options.forceKopiaRestore) {
    await connectRepository(ctx, options.repository, options.signal);
    lookups.prefetch(options.disks ?? []);
    return;
  }
  await writeConnectionConfig(ctx, options.repository);
  const server = getServer();
  lookups.prefetch(options.disks ?? []);
  try {
    await server;
  } catch {
    if (options.signal?.aborted) throw new RestoreError('CANCELLED', 'Restore cancelled');
    await connectRepository(ctx, options.repository, options.signal);
  }
}
