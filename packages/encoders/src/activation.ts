import { relu, sigmoid, type Tensor, tanh } from '@tensorflow/tfjs-core';

/** Elementwise activations available to `dense` and `cnn`. */
export type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid';

/** All activation names, for validation. */
export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'tanh', 'sigmoid'];

/** Applies `activation` (identity for `'linear'`). */
export function activate<T extends Tensor>(x: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
      return relu(x);
    case 'tanh':
      return tanh(x);
    case 'sigmoid':
      return sigmoid(x);
    default:
      return x;
  }
}
