/**
 * Distances and similarities between embeddings, shared by every loss: `pairwise(d, a, b)` compares row i of
 * `a` with row i of `b` (→ `[B]`), `matrix(d, x, y)` compares every row of `x` with every row of `y`
 * (→ `[N, M]`). All are differentiable and finite at identical and at zero vectors.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { gram } from './gram.js';
import type { Similarity } from './similarity.js';

/** Norms (and products of norms) below this are clamped, as in PyTorch, so zero vectors give cos = 0. */
export const NORM_EPSILON = 1e-8;
/** Added under the square root of the Euclidean distance: the gradient at distance 0 stays finite. */
export const EUCLIDEAN_EPSILON = 1e-12;

/** Rows scaled to unit length; rows with norm < 1e-8 are divided by 1e-8 instead (no NaN at zero). */
export function normalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    // max() on the squared norm, before sqrt: sqrt'(0) would be infinite, and 0·∞ = NaN in the gradient.
    const sq = tf.maximum(tf.sum(tf.square(x), 1, true), NORM_EPSILON * NORM_EPSILON);
    return tf.div(x, tf.sqrt(sq));
  });
}

/**
 * `cos(a_i, b_i)` for every row, `[B]`: `a·b / sqrt(max(‖a‖²·‖b‖², 1e-16))`, PyTorch's `cosine_similarity`.
 * Works on `[B]` vectors only (no `[B, D] / [B, 1]` broadcast, which is slow on wasm).
 */
export function cosineSimilarity(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const norms2 = tf.mul(tf.sum(tf.square(a), 1), tf.sum(tf.square(b), 1));
    return tf.div(dot, tf.sqrt(tf.maximum(norms2, NORM_EPSILON * NORM_EPSILON))) as tf.Tensor1D;
  });
}

/** `cos(x_i, y_j)` for every pair of rows, `[N, M]`. */
export function cosineSimilarityMatrix(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => gram(normalizeRows(x), normalizeRows(y)));
}

/**
 * The distance form of a {@link Similarity} for every row, `d(a_i, b_i)` → `[B]`: `1 − cos`, `−a·b`,
 * `‖a − b‖₂` (computed as `sqrt(‖a − b‖² + 1e-12)`, so the gradient at `a = b` is 0, not NaN) or `‖a − b‖₁`.
 */
export function pairwise(distance: Similarity, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy((): tf.Tensor1D => {
    switch (distance) {
      case 'cosine':
        return tf.sub(1, cosineSimilarity(a, b));
      case 'euclidean':
        return tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(a, b)), 1), EUCLIDEAN_EPSILON)) as tf.Tensor1D;
      case 'manhattan':
        return tf.sum(tf.abs(tf.sub(a, b)), 1) as tf.Tensor1D;
      case 'dot':
        return tf.neg(tf.sum(tf.mul(a, b), 1)) as tf.Tensor1D;
    }
  });
}

/**
 * `d(x_i, y_j)` for every pair of rows, `[N, M]`. Euclidean uses `‖x‖² − 2x·y + ‖y‖²` (clamped at 0, so it is
 * O(N·M) memory); Manhattan materialises `[N, M, D]`.
 */
export function matrix(distance: Similarity, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    switch (distance) {
      case 'cosine':
        return tf.sub(1, cosineSimilarityMatrix(x, y));
      case 'euclidean': {
        const xx = tf.sum(tf.square(x), 1, true); // [N, 1]
        const yy = tf.reshape(tf.sum(tf.square(y), 1), [1, -1]); // [1, M]
        const sq = tf.relu(tf.add(tf.sub(xx, tf.mul(2, gram(x, y))), yy));
        return tf.sqrt(tf.add(sq, EUCLIDEAN_EPSILON)) as tf.Tensor2D;
      }
      case 'manhattan':
        return tf.sum(tf.abs(tf.sub(tf.expandDims(x, 1), tf.expandDims(y, 0))), 2) as tf.Tensor2D;
      case 'dot':
        return tf.neg(gram(x, y));
    }
  });
}

/**
 * The similarity form of a {@link Similarity} for every row, `sim(a_i, b_i)` → `[B]` (higher = more alike):
 * `cos`, `a·b`, or the negated Euclidean / Manhattan distance.
 */
export function pairSimilarity(similarity: Similarity, a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  if (similarity === 'cosine') return cosineSimilarity(a, b);
  if (similarity === 'dot') return tf.tidy(() => tf.sum(tf.mul(a, b), 1) as tf.Tensor1D);
  return tf.tidy(() => tf.neg(pairwise(similarity, a, b)));
}

/** `sim(x_i, y_j)` for every pair of rows, `[N, M]` (the similarity form, as {@link pairSimilarity}). */
export function similarityMatrix(similarity: Similarity, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  if (similarity === 'cosine') return cosineSimilarityMatrix(x, y);
  if (similarity === 'dot') return gram(x, y);
  return tf.tidy(() => tf.neg(matrix(similarity, x, y)));
}
