// The memory every chunk in flight is read into: one buffer of the whole budget, handed out in contiguous slices.
// Buffers allocated per chunk (rounded to powers of two, dropped when the sizes changed) held ~110 MB for a 64 MiB
// budget, as dropped buffers waited for the collector and a 4.1 MiB chunk took 8 MiB (docs/performance.md). Here the
// bytes held are the budget, never more, and a slice is the chunk's size rounded up to 64 KiB.

/** Slices start and end on these; it keeps the free list short. */
export const SLICE_UNIT = 64 * 1024;

interface Range {
  start: number;
  end: number;
}

export class ChunkArena {
  private backing: Buffer | null = null;
  /** Free ranges of the backing buffer, in order, never touching each other (neighbours are merged). */
  private free: Range[];
  private waiting: Array<() => void> = [];
  private heldBytes = 0;
  private oneOffs = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < SLICE_UNIT) throw new RangeError(`arena limit ${limit} is below ${SLICE_UNIT}`);
    this.free = [{ start: 0, end: Math.floor(limit / SLICE_UNIT) * SLICE_UNIT }];
  }

  /** The bytes a chunk of `length` takes from the arena. */
  static sliceFor(length: number): number {
    return Math.max(SLICE_UNIT, Math.ceil(length / SLICE_UNIT) * SLICE_UNIT);
  }

  /** Bytes of the slices handed out and not yet given back. */
  get held(): number {
    return this.heldBytes;
  }

  /** A slice of exactly `length` bytes, or null while none is free. A chunk larger than the whole arena gets a
   * buffer of its own, alone (nothing else is handed out while it is held), so memory stays bounded by the larger
   * of the two. */
  tryTake(length: number): Buffer | null {
    const size = ChunkArena.sliceFor(length);
    if (this.oneOffs > 0) return null;
    if (size > Math.floor(this.limit / SLICE_UNIT) * SLICE_UNIT) {
      if (this.heldBytes > 0) return null;
      this.oneOffs += 1;
      return Buffer.allocUnsafeSlow(length);
    }
    const at = this.free.findIndex((range) => range.end - range.start >= size);
    if (at === -1) return null;
    const range = this.free[at]!;
    const start = range.start;
    range.start += size;
    if (range.start === range.end) this.free.splice(at, 1);
    this.heldBytes += size;
    this.backing ??= Buffer.allocUnsafeSlow(this.limit);
    return this.backing.subarray(start, start + length);
  }

  /** Waits for a slice; null when the signal aborted first. */
  async take(length: number, signal: AbortSignal): Promise<Buffer | null> {
    for (;;) {
      if (signal.aborted) return null;
      const slice = this.tryTake(length);
      if (slice) return slice;
      await new Promise<void>((resolve) => {
        const wake = () => { signal.removeEventListener('abort', wake); resolve(); };
        this.waiting.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Gives a slice back (it must not be used after) and wakes whoever waits. */
  give(slice: Buffer): void {
    if (!this.backing || slice.buffer !== this.backing.buffer) {
      this.oneOffs -= 1;
    } else {
      const start = slice.byteOffset - this.backing.byteOffset;
      const size = ChunkArena.sliceFor(slice.length);
      this.heldBytes -= size;
      this.release({ start, end: start + size });
    }
    for (const wake of this.waiting.splice(0)) wake();
  }

  private release(range: Range): void {
    let at = this.free.findIndex((r) => r.start > range.start);
    if (at === -1) at = this.free.length;
    const before = this.free[at - 1];
    const after = this.free[at];
    if ((before && before.end > range.start) || (after && range.end > after.start)) throw new Error('a slice was given back twice');
    if (before && before.end === range.start) {
      before.end = range.end;
      if (after && after.start === before.end) {
        before.end = after.end;
        this.free.splice(at, 1);
      }
    } else if (after && after.start === range.end) {
      after.start = range.start;
    } else {
      this.free.splice(at, 0, { ...range });
    }
  }
}
