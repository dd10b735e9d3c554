// The session's kopia connection, written by the agent instead of `kopia repository connect`: connect opens the
// whole repository once only to check it (about 0.9 s against storage 25 ms away, before anything else could start,
// docs/performance.md), and the loopback server opens it again anyway. The layout is kopia's LocalConfig
// (repo/local_config.go in v0.22.3), as connect writes it with the session's flags: read-only and no cache at all.
// No cache on purpose: kopia 0.22.3 has no metadata-only cache (a cache folder with a content cache of 0 bytes makes
// every data read panic, and any content cache size writes the whole disk into the cache a second time).
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { KopiaContext } from './kopia.js';
import type { RepositoryConnection } from './types.js';

/** Kopia's default (15 min, in nanoseconds as Go's time.Duration). */
const FORMAT_BLOB_CACHE_NS = 900_000_000_000;

/** kopia's storage section for the connection; the S3 keys are in it, as `kopia repository connect` would write
 * them, which is why the session's folder is private and removed on close. */
function storageSection(repo: RepositoryConnection): { type: string; config: Record<string, unknown> } {
  if (repo.type === 'filesystem') {
    return { type: 'filesystem', config: { path: resolve(repo.path), fileMode: 0o600, dirMode: 0o700, dirShards: null } };
  }
  const config: Record<string, unknown> = { bucket: repo.bucket, endpoint: repo.endpoint, accessKeyID: repo.accessKeyId, secretAccessKey: repo.secretAccessKey };
  if (repo.prefix) config.prefix = repo.prefix;
  if (repo.region) config.region = repo.region;
  if (repo.disableTls) config.doNotUseTLS = true;
  return { type: 's3', config };
}

export async function writeConnectionConfig(ctx: KopiaContext, repo: RepositoryConnection): Promise<void> {
  const config = {
    storage: storageSection(repo),
    caching: {},
    hostname: hostname().toLowerCase(),
    username: 'hyperv-restore',
    readonly: true,
    description: 'Hyper-V restore (read-only)',
    enableActions: false,
    formatBlobCacheDuration: FORMAT_BLOB_CACHE_NS,
  };
  await writeFile(ctx.configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
}
