// A short-lived cache for answers that many requests repeat within a few seconds (a page of the backup-points
// listing): built once, reused as they are. lru-cache does the keeping: expiry after `ttlMs`, least recently used
// first out when the total `sizeOf` passes `maxSize`, and one shared fetch for concurrent misses of a key.
// This wrapper adds the one thing lru-cache has no option for, refresh-ahead: an entry in the last quarter of its
// life is rebuilt in the background while it is still served, so a key in steady use never makes its requests wait
// for a build (unless a build takes a quarter of `ttlMs`), and no answer is older than `ttlMs`. ttlMs 0 turns it off.
import { LRUCache } from 'lru-cache';

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

type Build<T> = () => Promise<T>;

export function createTtlCache<T extends object>({ ttlMs, maxSize, sizeOf, now }: TtlCacheOptions<T>): TtlCache<T> {
  if (ttlMs <= 0 || maxSize <= 0) return { get: (_key, build) => build(), size: 0 };
  const entries = new LRUCache<string, T, Build<T>>({
    ttl: ttlMs,
    maxSize,
    // lru-cache wants a positive size; an empty index (size 0) still counts as one.
    sizeCalculation: (value) => Math.max(1, sizeOf(value)),
    fetchMethod: (_key, _old, { context }) => context(),
    // A failed background build leaves the entry to expire; the next request then builds and sees the error.
    noDeleteOnFetchRejection: true,
    ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
  });
  const refreshAfter = ttlMs * (1 - REFRESH_AT);

  // forceRefresh: an entry lru-cache still counts as fresh is rebuilt; a build in flight is joined, not repeated.
  const rebuild = async (key: string, build: Build<T>): Promise<T> => {
    const value = await entries.fetch(key, { context: build, forceRefresh: true });
    // fetchMethod never answers undefined (build() resolves to a value), so this is only the type's case.
    if (value === undefined) throw new Error(`ttl-cache: no value built for ${key}`);
    return value;
  };

  return {
    async get(key, build) {
      // lru-cache still serves an entry at exactly `ttlMs` of age; ours is expired then, hence the check first.
      // get() answers only a fresh entry (during its background rebuild, the value being replaced).
      const left = entries.getRemainingTTL(key);
      const fresh = left > 0 ? entries.get(key) : undefined;
      if (fresh === undefined) return rebuild(key, build);
      if (left <= refreshAfter) rebuild(key, build).catch(() => undefined);
      return fresh;
    },
    get size() {
      return entries.calculatedSize;
    },
  };
}
