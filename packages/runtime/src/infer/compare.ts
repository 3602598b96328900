import { SiameseError } from '@siamese/core';
import type { SiameseModel } from '../model.js';
import { vectorSimilarity } from './vector-similarity.js';

/** The similarity of two texts under the model's `similarity` (cosine by default: 1 = same direction). */
export async function similarity(model: SiameseModel, a: string, b: string): Promise<number> {
  const [va, vb] = await model.embed([a, b]);
  return vectorSimilarity(va!, vb!, model.similarity);
}

/** The similarities of aligned pairs `a[i]`–`b[i]`, both sides embedded in one pass. */
export async function similarities(
  model: SiameseModel,
  a: readonly string[],
  b: readonly string[],
): Promise<Float32Array> {
  if (a.length !== b.length) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `similarities: expected as many right texts as left texts, found ${a.length} and ${b.length}`,
    );
  }
  const m = await model.embedMatrix([...a, ...b]);
  const d = model.dim;
  const n = a.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = vectorSimilarity(
      m.subarray(i * d, (i + 1) * d),
      m.subarray((n + i) * d, (n + i + 1) * d),
      model.similarity,
    );
  }
  return out;
}
