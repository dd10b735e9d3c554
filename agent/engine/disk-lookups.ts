// Each disk's snapshot looked up once per session, and every disk of the command while the repository opens. A
// lookup is a kopia process that opens the repository on its own (about 0.9 s against storage 25 ms away), and a
// run asks for each disk twice: its size for the free-space check before any disk, then the disk itself.
import { diskRefProblem, findDiskSource, type DiskRef, type DiskSource } from './disk-source.js';
import type { KopiaContext } from './kopia.js';
import { RestoreError } from './types.js';

export class DiskLookups {
  private readonly started = new Map<string, Promise<DiskSource>>();

  /** `stop` ends the lookups still running (the session closes). */
  constructor(private readonly ctx: KopiaContext, private readonly stop: AbortSignal) {}

  /** Starts the lookups without waiting for them; a failure is reported when the disk is asked for. */
  prefetch(disks: readonly DiskRef[]): void {
    for (const disk of disks) if (!diskRefProblem(disk)) this.lookup(disk).catch(() => undefined);
  }

  /** The disk's file in its snapshot; `signal` ends this wait (CANCELLED), not the lookup others may share. */
  find(disk: DiskRef, signal: AbortSignal): Promise<DiskSource> {
    if (signal.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(cancelled());
      signal.addEventListener('abort', onAbort, { once: true });
      this.lookup(disk).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private lookup(disk: DiskRef): Promise<DiskSource> {
    const key = `${disk.manifestId}\n${disk.expectedFileName}`;
    const known = this.started.get(key);
    if (known) return known;
    const found = findDiskSource(this.ctx, disk.manifestId, disk.expectedFileName, this.stop);
    this.started.set(key, found);
    // A failed lookup is forgotten, so the next ask tries again (the storage may be back by then).
    found.catch(() => { if (this.started.get(key) === found) this.started.delete(key); });
    return found;
  }
}

const cancelled = () => new RestoreError('CANCELLED', 'Restore cancelled');
