import { type Rng, SiameseError } from '@siamese/core';
import { tensor, type Variable, variable } from '@tensorflow/tfjs-core';

// How many more weight values the encoder being built may allocate (see `encoderFromConfig`'s `maxParameters`):
// a loaded config that declares a vocabulary of 1e9 rows is refused before its table is allocated.
let budget: { left: number; max: number } | null = null;

/** Runs `build` with at most `max` weight values to allocate (nested calls share the outer budget). */
export function withParameterBudget<T>(max: number | undefined, build: () => T): T {
  if (max === undefined || budget) return build();
  budget = { left: max, max };
  try {
    return build();
  } finally {
    budget = null;
  }
}

/** The size of `shape`, after checking that it fits what is left of the budget. */
export function checkedSize(shape: readonly number[]): number {
  const n = shape.reduce((a, b) => a * b, 1);
  if (budget) {
    if (n > budget.left) {
      throw new SiameseError(
        'E_ENCODER_BUDGET',
        `a weight of shape [${shape}] (${n} values) takes the encoder past its budget of ${budget.max} values (maxParameters)`,
        { details: { shape: [...shape], max: budget.max } },
      );
    }
  }
  return n;
}

/** A variable holding `values` (copied). tfjs variable names are left automatic: ours live in `weights()`. */
export function variableFrom(values: Float32Array, shape: number[], trainable = true): Variable {
  const n = checkedSize(shape);
  if (budget) budget.left -= n;
  const t = tensor(values, shape, 'float32');
  const v = variable(t, trainable);
  t.dispose();
  return v;
}

/** U(-bound, bound), seeded: PyTorch's default for Linear / LSTM / Conv1d is bound = 1/sqrt(fan). */
export function uniformVariable(rng: Rng, shape: number[], bound: number, trainable = true): Variable {
  return variableFrom(rng.fillUniform(new Float32Array(checkedSize(shape)), -bound, bound), shape, trainable);
}

/** N(0, std²), seeded (PyTorch's nn.Embedding default is std 1). */
export function normalVariable(rng: Rng, shape: number[], std: number, trainable = true): Variable {
  return variableFrom(rng.fillNormal(new Float32Array(checkedSize(shape)), 0, std), shape, trainable);
}
