import { SiameseError } from '@siamese/core';

/** Linear score mapping of {@link normalizeScores}. */
export interface ScoreScale {
  /** Source range, e.g. `[0, 5]` for STS-B, `[1, 5]` for SICK. */
  from: readonly [number, number];
  /** Target range; default `[0, 1]`. */
  to?: readonly [number, number];
  /** Clamp results into `to` (guards against slightly out-of-range sources). Default `false`. */
  clamp?: boolean;
}

/**
 * Maps every `score` linearly from `from` to `to` (STS-B 0–5 → 0–1: `{ from: [0, 5] }`) and returns new
 * records; records without a score are copied unchanged. The readers do the same while reading with their
 * `normalizeScores` option.
 */
export function normalizeScores<T extends { score?: number }>(pairs: readonly T[], scale: ScoreScale): T[] {
  const map = scoreMapper(scale, 'normalizeScores');
  return pairs.map((p) => (p.score === undefined ? { ...p } : { ...p, score: map(p.score) }));
}

/** The linear map of a {@link ScoreScale}, checked once; `who` names the caller in the error. */
export function scoreMapper(scale: ScoreScale, who: string): (score: number) => number {
  const [a = Number.NaN, b = Number.NaN] = scale?.from ?? [];
  const [c = Number.NaN, d = Number.NaN] = scale?.to ?? [0, 1];
  if (!([a, b, c, d].every(Number.isFinite) && a < b)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `${who}: expected finite ranges with from[0] < from[1], found from=${JSON.stringify(scale?.from)} to=${JSON.stringify(scale?.to)}`,
    );
  }
  const k = (d - c) / (b - a);
  if (!scale.clamp) return (s) => c + (s - a) * k;
  const lo = Math.min(c, d);
  const hi = Math.max(c, d);
  return (s) => Math.min(hi, Math.max(lo, c + (s - a) * k));
}

/**
 * The integer range scores were given on, as seen in `pairs`: from the floor of the lowest to the ceiling of
 * the highest (STS-B → `[0, 5]`, SICK → `[1, 5]`), or `[0, 1]` when they already lie there. `null` when a pair
 * has no score or every score is the same. Pass it to {@link normalizeScores}; use the training set's range for
 * its dev set too.
 */
export function observedScoreRange(pairs: readonly { score?: number }[]): [number, number] | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of pairs) {
    if (p.score === undefined) return null;
    lo = Math.min(lo, p.score);
    hi = Math.max(hi, p.score);
  }
  if (!(hi > lo)) return null;
  return lo >= 0 && hi <= 1 ? [0, 1] : [Math.floor(lo), Math.ceil(hi)];
}
