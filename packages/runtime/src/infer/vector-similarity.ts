import type { Similarity } from '@siamese/losses';

/**
 * The similarity form of a {@link Similarity} for two vectors of equal length (higher = more alike): `cos`,
 * `a·b`, `−‖a − b‖₂` or `−‖a − b‖₁`. The scalar twin of the losses' tensor version.
 */
export function vectorSimilarity(a: ArrayLike<number>, b: ArrayLike<number>, similarity: Similarity): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let d2 = 0;
  let d1 = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
    d2 += (x - y) * (x - y);
    d1 += Math.abs(x - y);
  }
  if (similarity === 'dot') return dot;
  if (similarity === 'euclidean') return -Math.sqrt(d2);
  if (similarity === 'manhattan') return -d1;
  return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-8);
}
