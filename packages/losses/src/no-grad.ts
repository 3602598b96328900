import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn(...inputs)` as one opaque op whose gradient is zero: for masks and thresholds computed from
 * differentiable values (comparisons such as `Greater` have no registered gradient, so the tape would fail on
 * them; PyTorch gets the same effect from boolean indexing).
 */
export function withoutGradient<T extends tf.Tensor>(
  fn: (...xs: tf.Tensor[]) => T,
  ...inputs: tf.Tensor[]
): T {
  const op = tf.customGrad((...args: unknown[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    // spread-ok: the op's own input tensors, a handful
    return { value: fn(...xs), gradFunc: () => xs.map((x) => tf.zerosLike(x)) };
  }) as (...xs: tf.Tensor[]) => T;
  return op(...inputs); // spread-ok: the op's own input tensors, a handful
}
