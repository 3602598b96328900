import { InvalidArgumentError } from '@siamese/core';

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
 * records; records without a score are copied unchanged.
 */
export function normalizeScores<T extends { score?: number }>(pairs: readonly T[], scale: ScoreScale): T[] {
  const [a, b] = scale.from;
  const [c, d] = scale.to ?? [0, 1];
  if (!(Number.isFinite(a) && Number.isFinite(b) && a < b && Number.isFinite(c) && Number.isFinite(d))) {
    throw new InvalidArgumentError(
      `normalizeScores: expected finite ranges with from[0] < from[1], found from=${JSON.stringify(scale.from)} to=${JSON.stringify(scale.to)}`,
    );
  }
  const k = (d - c) / (b - a);
  const lo = Math.min(c, d);
  const hi = Math.max(c, d);
  return pairs.map((p) => {
    if (p.score === undefined) return { ...p };
    let s = c + (p.score - a) * k;
    if (scale.clamp) s = Math.min(hi, Math.max(lo, s));
    return { ...p, score: s };
  });
}
