import { maximum, mul, rsqrt, square, sum, type Tensor } from '@tensorflow/tfjs-core';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';

/** `x / max(‖x‖₂, 1e-12)` on the last axis (written with rsqrt so a zero vector gets a finite gradient). */
export function l2Normalize<T extends Tensor>(x: T): T {
  return mul(x, rsqrt(maximum(sum(square(x), -1, true), 1e-24)));
}

/** L2-normalises each vector (norm clamped at 1e-12), so dot products are cosine similarities. */
export function normalize(): StepSpec {
  return {
    type: 'normalize',
    config: { type: 'normalize' },
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['vector', 'sequence'], ctx);
      return { output: input, weights: [], apply: (x) => l2Normalize(x!) };
    },
  };
}
