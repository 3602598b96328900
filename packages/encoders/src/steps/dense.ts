import { add, matMul, reshape, type Tensor, transpose } from '@tensorflow/tfjs-core';
import { ACTIVATIONS, type Activation, activate } from '../activation.js';
import { uniformVariable } from '../init.js';
import { bool, oneOf, positiveInt, prefix, qualify } from '../options.js';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';

/** Options of {@link dense}. */
export interface DenseOptions {
  /** Output width. */
  units: number;
  /** Default `'linear'`. */
  activation?: Activation;
  /** Add a bias (default true). */
  bias?: boolean;
  /** Weight-name prefix (default `'dense'` → `dense.weight` `[units, in]`, `dense.bias` `[units]`). */
  name?: string;
}

/**
 * Fully connected layer on the last axis (vectors `[B,D]` or sequences `[B,T,D]`): `act(x·Wᵀ + b)`, with `W`
 * in PyTorch's `nn.Linear` layout `[units, in]`, initialised U(±1/√in).
 */
export function dense(options: DenseOptions): StepSpec {
  const units = positiveInt('dense.units', options.units);
  const activation = oneOf('dense.activation', options.activation ?? 'linear', ACTIVATIONS);
  const useBias = bool('dense.bias', options.bias, true);
  const name = prefix('dense.name', options.name, 'dense');
  return {
    type: 'dense',
    config: {
      type: 'dense',
      units,
      activation,
      bias: useBias,
      ...(options.name === undefined ? {} : { name }),
    },
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['vector', 'sequence'], ctx);
      const bound = 1 / Math.sqrt(input.dim);
      const weight = uniformVariable(ctx.rng, [units, input.dim], bound);
      const bias = useBias ? uniformVariable(ctx.rng, [units], bound) : null;
      const weights: [string, typeof weight][] = [[qualify(name, 'weight'), weight]];
      if (bias) weights.push([qualify(name, 'bias'), bias]);
      return {
        output: { kind: input.kind, dim: units },
        weights,
        apply: (x: Tensor | null) => {
          const flat = reshape(x!, [-1, input.dim]);
          const y = matMul(flat, transpose(weight));
          const out = activate(bias ? add(y, bias) : y, activation);
          return input.kind === 'sequence' ? reshape(out, [x!.shape[0]!, x!.shape[1]!, units]) : out;
        },
      };
    },
  };
}
