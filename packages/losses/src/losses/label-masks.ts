import * as tf from '@tensorflow/tfjs-core';

/** Masks over `[B, B]` pairs of a labelled batch (float 0/1): same label, and same label without the diagonal. */
export interface LabelMasks {
  /** `labels_i == labels_j` (diagonal included). */
  same: tf.Tensor2D;
  /** `labels_i != labels_j`. */
  different: tf.Tensor2D;
  /** `labels_i == labels_j` and `i != j`: the anchor–positive pairs. */
  positive: tf.Tensor2D;
}

/** Pair masks of class labels `[B]`; they depend on labels only, so they carry no gradient. */
export function labelMasks(labels: tf.Tensor1D): LabelMasks {
  const n = labels.shape[0];
  const same = tf.cast(
    tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)),
    'float32',
  ) as tf.Tensor2D;
  return { same, different: tf.sub(1, same), positive: tf.sub(same, tf.eye(n)) };
}
