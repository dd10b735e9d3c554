// A short-lived cache of JSON answers kept as bytes. Serialising a large answer (and turning the string into a
// Buffer) costs far more than the queries behind it, so a read that many requests repeat within a few seconds is
// built and serialised once and its bytes are written as they are. Concurrent misses for one key share one build;
// entries expire after `ttlMs` and the oldest go first when the total passes `maxBytes`. ttlMs 0 turns it off.
// An entry past half its life is rebuilt in the background while it is still served, so a key in steady use never
// makes its requests wait for a build, and no answer is older than `ttlMs`.
import { createSingleFlight } from './single-flight.js';

export interface SerializedCacheOptions {
  ttlMs: number;
  maxBytes: number;
  /** Milliseconds clock; tests move it. */
  now?: () => number;
}

export interface SerializedCache {
  /** The JSON bytes of `build()`'s value for `key`, built at most once per `ttlMs`. */
  get(key: string, build: () => Promise<unknown>): Promise<Buffer>;
  /** Bytes currently held (for tests and metrics). */
  readonly size: number;
}

interface Entry {
  bytes: Buffer;
  refreshAt: number;
  expiresAt: number;
}

export function createSerializedCache({ ttlMs, maxBytes, now = Date.now }: SerializedCacheOptions): SerializedCache {
  const entries = new Map<string, Entry>();
  const building = createSingleFlight<Buffer>();
  let held = 0;

  const forget = (key: string, entry: Entry) => {
    entries.delete(key);
    held -= entry.bytes.length;
  };

  const keep = (key: string, bytes: Buffer) => {
    const old = entries.get(key);
    if (old) forget(key, old);
    if (bytes.length > maxBytes) return;
    // Map iteration follows insertion order: the first entries are the oldest.
    for (const [oldestKey, oldest] of entries) {
      if (held + bytes.length <= maxBytes) break;
      forget(oldestKey, oldest);
    }
    const builtAt = now();
    entries.set(key, { bytes, refreshAt: builtAt + ttlMs / 2, expiresAt: builtAt + ttlMs });
    held += bytes.length;
  };

  const serialize = async (build: () => Promise<unknown>) => Buffer.from(JSON.stringify(await build()));

  return {
    async get(key, build) {
      if (ttlMs <= 0) return serialize(build);
      const rebuild = () => building(key, async () => {
        const bytes = await serialize(build);
        keep(key, bytes);
        return bytes;
      });
      const entry = entries.get(key);
      const at = now();
      if (entry && entry.expiresAt > at) {
        // A failed background build leaves the entry to expire; the next request then builds and sees the error.
        if (entry.refreshAt <= at) rebuild().catch(() => undefined);
        return entry.bytes;
      }
      if (entry) forget(key, entry);
      return rebuild();
    },
    get size() {
      return held;
    },
  };
}
