// Admits chunk reads up to a limit that read-concurrency.ts moves with the measured throughput. Each window counts
// only reads started under its own limit: after a change, the reads still running from before are let finish
// uncounted (they would credit the new limit with the old one's work).
import type { Chunk } from './chunk-map.js';
import { nextLimit, type ConcurrencyLimits, type ConcurrencyState } from './read-concurrency.js';

export interface ReadGateOptions extends ConcurrencyLimits {
  /** The limit of the first window. */
  start: number;
  /** false: a fixed limit (the ceiling), as before the controller. */
  adaptive: boolean;
  /** Milliseconds, monotonic (tests pass their own clock). */
  now?: () => number;
}

/** Where the measured limit starts: the fixed figure the engine used before it measured (docs/performance.md). */
export const START_READS = 16;
const FLOOR_READS = 2;

/** The gate for one disk: ceiling `parallelism` cut to the reads whose typical buffers (`bufferFor` a chunk's
 * length) fit in `budgetBytes`. */
export function createReadGate(options: { chunks: Chunk[]; parallelism: number; adaptiveParallelism?: boolean }, budgetBytes: number,
  bufferFor: (length: number) => number): ReadGate {
  const sizes = options.chunks.map((chunk) => bufferFor(chunk.length)).sort((a, b) => a - b);
  const typical = sizes[Math.floor(sizes.length / 2)] ?? 1;
  const ceiling = Math.max(1, Math.min(Math.floor(options.parallelism), Math.floor(budgetBytes / typical)));
  return new ReadGate({ floor: Math.min(ceiling, FLOOR_READS), ceiling, start: START_READS, adaptive: options.adaptiveParallelism ?? true });
}

/** A window ends after at least this many reads, twice the limit, and this long, so a few slow reads do not decide
 * alone (shorter windows, 4 reads or the limit and 200 ms, were too noisy on a loaded machine). */
const MIN_WINDOW_READS = 8;
const MIN_WINDOW_MS = 500;

export class ReadGate {
  private state: ConcurrencyState;
  private inFlight = 0;
  private settling = 0; // completions still owed by reads started under the previous limit
  private windowStart = 0;
  private windowReads = 0;
  private windowBytes = 0;
  private waiting: Array<() => void> = [];
  private readonly now: () => number;
  /** Each limit the gate has used, in order (for logs and the benchmark). */
  readonly history: number[];

  constructor(private readonly options: ReadGateOptions) {
    const { floor, ceiling } = options;
    const start = options.adaptive ? Math.min(ceiling, Math.max(floor, options.start)) : ceiling;
    this.state = { limit: start, previous: null };
    this.history = [start];
    this.now = options.now ?? (() => performance.now());
    // The first reads are the pipeline filling (each pays its whole latency at once): measured, they made the start
    // limit look slow and the first step down look free.
    this.settling = options.adaptive ? start : 0;
    this.windowStart = this.now();
  }

  get limit(): number {
    return this.state.limit;
  }

  get ceiling(): number {
    return this.options.ceiling;
  }

  /** Takes a place if one is free. */
  tryEnter(): boolean {
    if (this.inFlight >= this.state.limit) return false;
    this.inFlight += 1;
    return true;
  }

  /** Waits for a place; false when the signal aborted first. */
  async enter(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false;
      if (this.tryEnter()) return true;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** A read ended; `bytes` is what it delivered (0 for a failed one). */
  leave(bytes: number): void {
    this.inFlight -= 1;
    if (this.options.adaptive) this.measure(bytes);
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Wakes every waiter, e.g. on abort. */
  wakeAll(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }

  private measure(bytes: number): void {
    const now = this.now();
    if (this.settling > 0) {
      this.settling -= 1;
      if (this.settling === 0) this.startWindow(now);
      return;
    }
    this.windowReads += 1;
    this.windowBytes += bytes;
    const elapsed = now - this.windowStart;
    if (this.windowReads < Math.max(MIN_WINDOW_READS, 2 * this.state.limit) || elapsed < MIN_WINDOW_MS) return;
    const before = this.state.limit;
    this.state = nextLimit(this.state, { limit: before, throughput: (this.windowBytes * 1000) / elapsed }, this.options);
    if (this.state.limit !== before) {
      this.history.push(this.state.limit);
      this.settling = this.inFlight;
    }
    if (this.settling === 0) this.startWindow(now);
  }

  private startWindow(now: number): void {
    this.windowStart = now;
    this.windowReads = 0;
    this.windowBytes = 0;
  }
}
