import type { Rng } from '@siamese/core';
import { tensor, type Variable, variable } from '@tensorflow/tfjs-core';

/** A variable holding `values` (copied). tfjs variable names are left automatic: ours live in `weights()`. */
export function variableFrom(values: Float32Array, shape: number[], trainable = true): Variable {
  const t = tensor(values, shape, 'float32');
  const v = variable(t, trainable);
  t.dispose();
  return v;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** U(-bound, bound), seeded: PyTorch's default for Linear / LSTM / Conv1d is bound = 1/sqrt(fan). */
export function uniformVariable(rng: Rng, shape: number[], bound: number, trainable = true): Variable {
  return variableFrom(rng.fillUniform(new Float32Array(size(shape)), -bound, bound), shape, trainable);
}

/** N(0, std²), seeded (PyTorch's nn.Embedding default is std 1). */
export function normalVariable(rng: Rng, shape: number[], std: number, trainable = true): Variable {
  return variableFrom(rng.fillNormal(new Float32Array(size(shape)), 0, std), shape, trainable);
}
