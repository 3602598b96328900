import { mul, type Tensor, tensor } from '@tensorflow/tfjs-core';
import { rate as checkRate } from '../options.js';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Probability of zeroing each value, in [0, 1). */
  rate: number;
}

/** Inverted dropout mask (`0` or `1/(1-rate)`) drawn from the seeded `rng`. */
export function dropoutMask(rng: { next(): number }, shape: number[], rate: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  const scale = 1 / (1 - rate);
  for (let i = 0; i < n; i++) values[i] = rng.next() >= rate ? scale : 0;
  return tensor(values, shape, 'float32');
}

/** Applies dropout when training and `rate > 0`; identity otherwise. */
export function applyDropout(
  x: Tensor,
  rate: number,
  run: { training: boolean; rng: { next(): number } },
): Tensor {
  return run.training && rate > 0 ? mul(x, dropoutMask(run.rng, x.shape, rate)) : x;
}

/** Dropout on any sequence or vector: seeded (`encode(..., { rng })`), active only with `training: true`. */
export function dropout(options: DropoutOptions): StepSpec {
  const rate = checkRate('dropout.rate', options.rate);
  return {
    type: 'dropout',
    config: { type: 'dropout', rate },
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['sequence', 'vector'], ctx);
      return { output: input, weights: [], apply: (x, _input, run) => applyDropout(x!, rate, run) };
    },
  };
}
