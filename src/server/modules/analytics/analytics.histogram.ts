// Durations rolled up as histograms (decision 033): each duration in seconds falls in a bucket
// whose bounds grow by a constant factor, so any percentile read from the counts is within
// HISTOGRAM_ACCURACY of the exact one (relative), whatever the scale: a minute or a year.
import { sql, type RawBuilder } from 'kysely';

/** A percentile read from a histogram is within this share of the exact value. */
export const HISTOGRAM_ACCURACY = 0.01;
const GAMMA = (1 + HISTOGRAM_ACCURACY) / (1 - HISTOGRAM_ACCURACY);

export interface Bucket {
  bucket: number;
  n: number;
}

/**
 * SQL: the bucket of a number of seconds. Under a second: 0. Otherwise ±(1 + i) for the bucket
 * (γ^(i-1), γ^i] its size falls in, so buckets sort as their values do.
 */
export function bucketOf(seconds: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`(case when abs(${seconds}) < 1 then 0
    else (sign(${seconds}) * (1 + ceil(ln(abs(${seconds})) / ${String(Math.log(GAMMA))}::float8)))::int
    end)`;
}

/** The seconds a bucket stands for: within HISTOGRAM_ACCURACY of every value in it. */
export function bucketSeconds(bucket: number): number {
  if (bucket === 0) return 0;
  return (Math.sign(bucket) * 2 * GAMMA ** (Math.abs(bucket) - 1)) / (GAMMA + 1);
}

/**
 * percentile_cont over the histogram (the value at `fraction` of the way through the sorted
 * values, interpolated between the two nearest), in seconds; null when it is empty.
 */
export function percentileOf(histogram: readonly Bucket[], fraction: number): number | null {
  const sorted = histogram.filter((entry) => entry.n > 0).sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((sum, entry) => sum + entry.n, 0);
  if (total === 0) return null;
  const position = fraction * (total - 1);
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const entry of sorted) {
      seen += entry.n;
      if (rank < seen) return bucketSeconds(entry.bucket);
    }
    return bucketSeconds(sorted.at(-1)!.bucket);
  };
  const lower = valueAt(Math.floor(position));
  const upper = valueAt(Math.ceil(position));
  return lower + (upper - lower) * (position - Math.floor(position));
}
