/**
 * Progress samples for the plots: cumulative bytes acknowledged over time. The
 * runner samples often; before storing, it thins the series to a bound while
 * keeping what the plots are for: the flat stretches (stalls) and the ends.
 */
import type { Sample } from './results-schema.ts';

/**
 * Keeps at most about `maxPoints` samples: per time bucket the first and last
 * sample and both ends of the bucket's longest flat stretch, so a stall of
 * any length stays visible however long the run was.
 */
export function downsampleProgress(samples: readonly Sample[], maxPoints: number): Sample[] {
  if (samples.length <= maxPoints) return [...samples];
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const first = samples[0]![0];
  const span = samples.at(-1)![0] - first || 1;
  const keep = new Set<number>([0, samples.length - 1]);
  let start = 0;
  for (let b = 0; b < buckets && start < samples.length; b++) {
    const limit = first + (span * (b + 1)) / buckets;
    let end = start;
    while (end + 1 < samples.length && samples[end + 1]![0] <= limit) end++;
    keep.add(start).add(end);
    const flat = longestFlat(samples, start, end);
    if (flat) keep.add(flat[0]).add(flat[1]);
    start = end + 1;
  }
  return [...keep].sort((a, b) => a - b).map((i) => samples[i]!);
}

/** Indices [from, to] of the longest run of equal byte counts within [start, end]. */
function longestFlat(
  samples: readonly Sample[],
  start: number,
  end: number,
): [number, number] | null {
  let best: [number, number] | null = null;
  let bestWidth = 0;
  let runStart = start;
  for (let i = start + 1; i <= end; i++) {
    if (samples[i]![1] !== samples[runStart]![1]) {
      runStart = i;
      continue;
    }
    const width = samples[i]![0] - samples[runStart]![0];
    if (width > bestWidth) {
      best = [runStart, i];
      bestWidth = width;
    }
  }
  return best;
}

/** The longest interval without progress in [from, to]: [start, end] times, or null. */
export function longestStall(
  samples: readonly Sample[],
  from: number,
  to: number,
): [number, number] | null {
  let best: [number, number] | null = null;
  let prev: Sample | undefined;
  let flatSince: number | null = null;
  for (const s of samples) {
    if (s[0] < from) {
      prev = s;
      continue;
    }
    if (s[0] > to) break;
    if (prev && s[1] === prev[1]) flatSince ??= prev[0];
    else flatSince = null;
    if (flatSince !== null && (!best || s[0] - flatSince > best[1] - best[0]))
      best = [flatSince, s[0]];
    prev = s;
  }
  return best;
}
