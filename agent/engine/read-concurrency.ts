// How many chunk reads to keep in flight, found by measuring instead of fixed: against distant storage each read is
// mostly waiting, so throughput grows with every read added; on a near or saturated path (CPU, bandwidth) more reads
// only cost memory. The controller compares the throughput of two windows run at different limits and moves toward
// the better one, never above the ceiling (config `parallelism`, cut to what the memory budget holds).
//
// Terms: a *window* is a stretch of completed reads measured at one limit; *elasticity* is how throughput moved
// with the limit between two windows, ln(T1/T0) / ln(L1/L0): 1 when it grows in proportion to the reads in flight
// (latency-bound), 0 when it stays flat, below 0 when more reads make it slower.

export interface ConcurrencyLimits {
  floor: number;
  ceiling: number;
}

export interface Window {
  limit: number;
  /** bytes per second */
  throughput: number;
}

export interface ConcurrencyState {
  limit: number;
  /** The last window measured at another limit: what the current one is compared with. */
  previous: Window | null;
  /** The last window already found the lower of the two limits no slower: one more such window confirms the fall. */
  fallPending?: boolean;
}

/** A higher limit is worth its memory when it brought at least this share of the proportional gain: a step of 1.5x
 * must bring about 11 % more throughput. */
export const RISE_ELASTICITY = 0.25;
/** A lower limit is taken only when the higher one brought nothing (elasticity 0 or below). A looser rule (below
 * 0.1, ~4 % per step) drifted down to 2-5 reads on a loaded machine, where noisy windows made 16 look no better,
 * and took 102 s where the fixed 16 took 45 s (docs/performance.md): speed first, memory is bounded anyway. */
export const FALL_ELASTICITY = 0;
const STEP = 1.5;

export function stepUp(limit: number, { ceiling }: ConcurrencyLimits): number {
  return Math.min(ceiling, Math.max(limit + 1, Math.round(limit * STEP)));
}

export function stepDown(limit: number, { floor }: ConcurrencyLimits): number {
  return Math.max(floor, Math.min(limit - 1, Math.round(limit / STEP)));
}

export function elasticity(from: Window, to: Window): number {
  if (from.limit === to.limit || from.throughput <= 0) return 0;
  if (to.throughput <= 0) return from.limit < to.limit ? -Infinity : Infinity;
  return Math.log(to.throughput / from.throughput) / Math.log(to.limit / from.limit);
}

/** The limit for the next window, given the one just measured at `state.limit`. */
export function nextLimit(state: ConcurrencyState, measured: Window, limits: ConcurrencyLimits): ConcurrencyState {
  const { previous } = state;
  if (!previous || previous.limit === measured.limit) {
    // Nothing to compare with yet: probe one step up, or down when already at the ceiling.
    const up = stepUp(measured.limit, limits);
    return { limit: up !== measured.limit ? up : stepDown(measured.limit, limits), previous: measured };
  }
  const e = elasticity(previous, measured);
  const wentUp = measured.limit > previous.limit;
  let limit: number;
  if (e >= RISE_ELASTICITY) limit = wentUp ? stepUp(measured.limit, limits) : previous.limit;
  else if (e <= FALL_ELASTICITY) {
    // The lower limit was no slower: go (or go back) to it only when a second window says so too. On a nearly flat
    // path one noisy window often does, and each needless step down cost 5-25 % of a 2 GiB restore at 25 ms
    // against the fixed 16 (docs/performance.md).
    if (!state.fallPending) return { limit: measured.limit, previous, fallPending: true };
    limit = wentUp ? previous.limit : stepDown(measured.limit, limits);
  } else limit = Math.max(measured.limit, previous.limit); // unclear: keep the higher
  // At the ceiling (or floor) the limit stays: keep comparing against the same earlier window.
  return limit === measured.limit ? { limit, previous } : { limit, previous: measured };
}
