import * as tf from '@tensorflow/tfjs-core';
import { cosineSimilarity, cosineSimilarityMatrix } from '../distances.js';
import { gram } from '../gram.js';

/** The similarity a ranking loss scales: cosine (default) or the raw dot product. */
export type SimilarityName = 'cosine' | 'dot';

/** Every {@link SimilarityName}. */
export const SIMILARITY_NAMES: readonly SimilarityName[] = ['cosine', 'dot'];

/** `sim(a_i, b_i)`, `[B]`. */
export function pairSimilarity(similarity: SimilarityName, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return similarity === 'cosine' ? cosineSimilarity(a, b) : tf.sum(tf.mul(a, b), 1);
}

/** `sim(x_i, y_j)`, `[N, M]`. */
export function similarityMatrix(similarity: SimilarityName, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return similarity === 'cosine' ? cosineSimilarityMatrix(x, y) : gram(x, y);
}
