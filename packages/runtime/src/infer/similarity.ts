/** How two embeddings are compared. `cosine` (default) is in [-1, 1]; `euclidean` is returned negated so that higher always means more similar. */
export type SimilarityName = 'cosine' | 'dot' | 'euclidean';

/** Similarity of two vectors of equal length. */
export function vectorSimilarity(a: Float32Array, b: Float32Array, kind: SimilarityName = 'cosine'): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let d2 = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
    d2 += (x - y) * (x - y);
  }
  if (kind === 'dot') return dot;
  if (kind === 'euclidean') return -Math.sqrt(d2);
  return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-8);
}
