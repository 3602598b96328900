import * as tf from '@tensorflow/tfjs-core';
import { withoutGradient } from './no-grad.js';
import type { Reduction } from './types.js';

/** Terms below this count as zero for `meanNonZero` (the threshold of sentence-transformers' BatchAllTripletLoss). */
export const NON_ZERO_THRESHOLD = 1e-16;

/**
 * Reduces per-example loss terms to a scalar: `mean`, `sum`, or `meanNonZero` = sum / (number of terms
 * > 1e-16), which is 0 when no term is active.
 */
export function reduce(terms: tf.Tensor, reduction: Reduction): tf.Scalar {
  return tf.tidy(() => {
    if (reduction === 'mean') return tf.mean(terms);
    if (reduction === 'sum') return tf.sum(terms);
    const active = withoutGradient(
      (t) => tf.sum(tf.cast(tf.greater(t, NON_ZERO_THRESHOLD), 'float32')),
      terms,
    );
    return tf.div(tf.sum(terms), tf.add(active, NON_ZERO_THRESHOLD));
  });
}
