/**
 * A mergeable histogram of elapsed times, so the median time to a status can be read from
 * daily and monthly rollup rows (exact medians cannot be summed across days; bucket counts can).
 *
 * Buckets are fixed and log-scale, three per doubling from one second:
 *   bucket 0            elapsed < 1 s (and negative clock differences)
 *   bucket k (1 … 72)   BOUNDS[k-1] ≤ elapsed < BOUNDS[k], BOUNDS[i] = round(1000 · 2^(i/3)) ms
 *   bucket 73           elapsed ≥ 2^24 s (about 194 days)
 * Alongside the counts a rollup keeps the smallest and largest elapsed time, which are also
 * mergeable (min of mins, max of maxes).
 *
 * The median is read as the bucket where the cumulative count reaches the lower-median rank
 * (the same rank the exact computation uses, so the exact median lies in that bucket), then
 * narrowed to [min, max] and reported as the geometric middle of what is left. Resolution:
 * within ±MEDIAN_RELATIVE_ERROR (12.3 %) of the exact lower median from one second up, within
 * half a second below one second; exact when every timed status in the cell took the same
 * time (a single status, for instance). Above 194 days the answer lies between 194 days and
 * the largest value, with the same ±12.3 % only if the largest value is close.
 *
 * Changing BOUNDS changes the meaning of stored rows: it needs a migration that rebuilds the
 * rollup from the status timeline.
 */

/** Buckets per doubling of the elapsed time. */
export const BUCKETS_PER_DOUBLING = 3;
/** Lower bound of the first log bucket, ms. */
export const FIRST_BOUND_MS = 1000;
/** Log buckets (between the under-one-second bucket and the overflow bucket). */
const LOG_BUCKETS = 24 * BUCKETS_PER_DOUBLING;

/** Bucket boundaries in ms, increasing integers: bucket k covers [BOUNDS[k-1], BOUNDS[k]). */
export const BOUNDS: readonly number[] = Object.freeze(
  Array.from({ length: LOG_BUCKETS + 1 }, (_, i) =>
    Math.round(FIRST_BOUND_MS * 2 ** (i / BUCKETS_PER_DOUBLING)),
  ),
);

/** Number of buckets, hence of histogram columns in a rollup row. */
export const BUCKET_COUNT = BOUNDS.length + 1;

/**
 * Largest relative distance between the reported and the exact median for medians of one
 * second and more (the geometric middle of a bucket is within √ratio of both its ends).
 */
export const MEDIAN_RELATIVE_ERROR = Math.ceil((2 ** (1 / (2 * BUCKETS_PER_DOUBLING)) - 1) * 1000) / 1000;

/** How close a reported median is, as the statistics answers state it. */
export const MEDIAN_RESOLUTION = Object.freeze({
  /** Largest relative error for medians of one second and more (0.123 = ±12.3 %). */
  relative: MEDIAN_RELATIVE_ERROR,
  /** Largest absolute error below one second, ms. */
  belowOneSecondMs: FIRST_BOUND_MS / 2,
  note: {
    vi: `Trung vị tính từ biểu đồ tần suất thời gian xử lý: sai số tối đa ±${(MEDIAN_RELATIVE_ERROR * 100).toFixed(1).replace(".", ",")} % (±0,5 giây nếu dưới 1 giây).`,
    en: `Medians are read from histograms of elapsed times: within ±${(MEDIAN_RELATIVE_ERROR * 100).toFixed(1)} % (±0.5 s below one second).`,
  },
});

/** The bucket of an elapsed time in ms (binary search over BOUNDS). */
export function bucketOf(elapsedMs: number): number {
  let lo = 0;
  let hi = BOUNDS.length;
  // Invariant: the answer is in [lo, hi]; bucket b means BOUNDS[b-1] ≤ x < BOUNDS[b].
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (elapsedMs < BOUNDS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** [lower, upper) of bucket k in ms; the overflow bucket has no upper bound. */
export function bucketRange(k: number): [number, number] {
  return [k === 0 ? Number.NEGATIVE_INFINITY : BOUNDS[k - 1]!, k < BOUNDS.length ? BOUNDS[k]! : Infinity];
}

export interface ElapsedHistogram {
  /** Count per bucket, BUCKET_COUNT entries. */
  buckets: readonly number[];
  /** Smallest and largest elapsed time counted, ms; null when nothing was timed. */
  minMs: number | null;
  maxMs: number | null;
}

/** Sum of two histograms (the merge of two sets of statuses). */
export function mergeHistograms(a: ElapsedHistogram, b: ElapsedHistogram): ElapsedHistogram {
  const pick = (x: number | null, y: number | null, f: (p: number, q: number) => number) =>
    x === null ? y : y === null ? x : f(x, y);
  return {
    buckets: a.buckets.map((n, i) => n + (b.buckets[i] ?? 0)),
    minMs: pick(a.minMs, b.minMs, Math.min),
    maxMs: pick(a.maxMs, b.maxMs, Math.max),
  };
}

/**
 * Estimated lower median in ms (see the resolution above), or null when nothing was timed.
 * Whole milliseconds.
 */
export function medianOf(h: ElapsedHistogram): number | null {
  const timed = h.buckets.reduce((a, b) => a + b, 0);
  if (timed === 0 || h.minMs === null || h.maxMs === null) return null;
  const rank = Math.floor((timed + 1) / 2);
  let seen = 0;
  let k = 0;
  for (; k < h.buckets.length; k++) {
    seen += h.buckets[k]!;
    if (seen >= rank) break;
  }
  const [lower, upper] = bucketRange(k);
  const lo = Math.max(lower, h.minMs);
  const hi = Math.min(upper, h.maxMs);
  if (lo >= hi) return Math.round(lo);
  // Below one second an absolute answer (±0.5 s) serves better than a relative one.
  return Math.round(k === 0 ? (lo + hi) / 2 : Math.sqrt(lo * hi));
}
