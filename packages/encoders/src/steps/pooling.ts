import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { firstToken, maskedMax, maskedMean } from '../masked.js';
import { oneOf } from '../options.js';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';
import type { EncoderInput } from '../types.js';

/** Pooling modes: masked mean (divides by the true length), masked max, or the first token. */
export type PoolingMode = 'mean' | 'max' | 'first';

/** Options of {@link pooling}. */
export interface PoolingOptions {
  /** Default `'mean'`. */
  mode?: PoolingMode;
}

/** Pools a sequence `[B,T,D]` into one vector per sentence `[B,D]`, ignoring pads. */
export function pooling(options: PoolingOptions = {}): StepSpec {
  const mode = oneOf('pooling.mode', options.mode ?? 'mean', ['mean', 'max', 'first'] as const);
  return {
    type: 'pooling',
    config: { type: 'pooling', mode },
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['sequence'], ctx);
      return {
        output: { kind: 'vector', dim: input.dim },
        weights: [],
        apply: (x: Tensor | null, batch: EncoderInput) => pool(x as Tensor3D, batch.mask, mode),
      };
    },
  };
}

/** Applies a pooling mode. */
export function pool(x: Tensor3D, mask: Tensor2D, mode: PoolingMode): Tensor2D {
  if (mode === 'max') return maskedMax(x, mask);
  if (mode === 'first') return firstToken(x);
  return maskedMean(x, mask);
}
