// Request batching: calls made in the same turn of the event loop are answered by one `runBatch` call, so fifty
// concurrent requests cost one database round trip instead of fifty. A lone call waits one setImmediate, nothing
// more. `runBatch` answers each key, in order; if it throws, every call of the batch gets that error. A batch holds
// at most `maxBatch` keys (statements have parameter limits); more calls start the next one.
export type Batched<K, V> = (key: K) => Promise<V>;

interface Waiting<K, V> {
  key: K;
  resolve: (v: V) => void;
  reject: (e: unknown) => void;
}

export function createTickBatcher<K, V>(runBatch: (keys: K[]) => Promise<V[]>, maxBatch = 100): Batched<K, V> {
  let open: Waiting<K, V>[] | null = null;

  const flush = (batch: Waiting<K, V>[]) => {
    if (open === batch) open = null;
    runBatch(batch.map((w) => w.key)).then((values) => {
      if (values.length !== batch.length) throw new Error(`batch answered ${values.length} of ${batch.length} keys`);
      batch.forEach((w, i) => w.resolve(values[i]!));
    }).catch((err: unknown) => batch.forEach((w) => w.reject(err)));
  };

  return (key) => new Promise<V>((resolve, reject) => {
    if (!open || open.length >= maxBatch) {
      const batch: Waiting<K, V>[] = [];
      open = batch;
      setImmediate(flush, batch);
    }
    open.push({ key, resolve, reject });
  });
}

/**
 * One batcher per database (or other owner), made on first use: calls batch only with calls on the same owner, and
 * a test's database never shares a batch with another's.
 */
export function createTickBatcherPer<O extends object, K, V>(runBatch: (owner: O, keys: K[]) => Promise<V[]>): (owner: O, key: K) => Promise<V> {
  const batchers = new WeakMap<O, Batched<K, V>>();
  return (owner, key) => {
    let batched = batchers.get(owner);
    if (!batched) batchers.set(owner, (batched = createTickBatcher((keys: K[]) => runBatch(owner, keys))));
    return batched(key);
  };
}
