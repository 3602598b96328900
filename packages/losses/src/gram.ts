import * as tf from '@tensorflow/tfjs-core';

/**
 * `x · yᵀ` ([N, D] × [M, D] → [N, M]) written with explicit transposes in both the forward and the backward
 * pass. The wasm backend runs `matMul(…, transposeA/transposeB)` as a naive loop (10–60× slower than its
 * XNNPACK path), and tfjs's own matMul gradient uses exactly those flags; this keeps every product plain.
 */
export const gram = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, y]);
  return {
    value: tf.matMul(x, tf.transpose(y)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, ys), tf.matMul(tf.transpose(dy as tf.Tensor2D), xs)];
    },
  };
}) as (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D;
