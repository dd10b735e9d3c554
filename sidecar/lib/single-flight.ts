// Request coalescing: callers asking for the same key while a call for it is in flight share that call's promise
// instead of starting their own. Used for read-only builds whose result does not depend on who asks (a listing page
// or index in lib/ttl-cache.ts); an answer is then at most one build's duration older than the request that gets it.
export type SingleFlight<T> = (key: string, run: () => Promise<T>) => Promise<T>;

export function createSingleFlight<T>(): SingleFlight<T> {
  const inFlight = new Map<string, Promise<T>>();
  return (key, run) => {
    const running = inFlight.get(key);
    if (running) return running;
    const started = run().finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };
}
