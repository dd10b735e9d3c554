// A short-lived cache for answers that many requests repeat within a few seconds (a page of the backup-points
// listing): built once, reused as they are. Concurrent misses for one key share one build; entries expire after
// `ttlMs` and the oldest go first when the total `sizeOf` passes `maxSize`. ttlMs 0 turns it off.
// An entry in the last quarter of its life is rebuilt in the background while it is still served, so a key in
// steady use never makes its requests wait for a build (unless a build takes a quarter of `ttlMs`), and no answer
// is older than `ttlMs`. Later refreshes mean fewer builds: many keys in use (pages of one VM) each cost one build
// per 0.75 `ttlMs`.
import { createSingleFlight } from './single-flight.js';

/** The share of an entry's life after which a request for it starts a background rebuild. */
export const REFRESH_AT = 0.75;

export interface TtlCacheOptions<T> {
  ttlMs: number;
  maxSize: number;
  sizeOf: (value: T) => number;
  /** Milliseconds clock; tests move it. */
  now?: () => number;
}

export interface TtlCache<T> {
  /** `build()`'s value for `key`, built at most once per `REFRESH_AT * ttlMs` while the key is in use. */
  get(key: string, build: () => Promise<T>): Promise<T>;
  /** Total size held (for tests and metrics). */
  readonly size: number;
}

interface Entry<T> {
  value: T;
  size: number;
  refreshAt: number;
  expiresAt: number;
}

export function createTtlCache<T>({ ttlMs, maxSize, sizeOf, now = Date.now }: TtlCacheOptions<T>): TtlCache<T> {
  const entries = new Map<string, Entry<T>>();
  const building = createSingleFlight<T>();
  let held = 0;

  const forget = (key: string, entry: Entry<T>) => {
    entries.delete(key);
    held -= entry.size;
  };

  const keep = (key: string, value: T) => {
    const old = entries.get(key);
    if (old) forget(key, old);
    const size = sizeOf(value);
    if (size > maxSize) return;
    // Map iteration follows insertion order: the first entries are the oldest.
    for (const [oldestKey, oldest] of entries) {
      if (held + size <= maxSize) break;
      forget(oldestKey, oldest);
    }
    const builtAt = now();
    entries.set(key, { value, size, refreshAt: builtAt + ttlMs * REFRESH_AT, expiresAt: builtAt + ttlMs });
    held += size;
  };

  return {
    async get(key, build) {
      if (ttlMs <= 0) return build();
      const rebuild = () => building(key, async () => {
        const value = await build();
        keep(key, value);
        return value;
      });
      const entry = entries.get(key);
      const at = now();
      if (entry && entry.expiresAt > at) {
        // A failed background build leaves the entry to expire; the next request then builds and sees the error.
        if (entry.refreshAt <= at) rebuild().catch(() => undefined);
        return entry.value;
      }
      if (entry) forget(key, entry);
      return rebuild();
    },
    get size() {
      return held;
    },
  };
}
