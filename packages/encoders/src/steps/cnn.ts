import { add, concat, conv1d, type Tensor, type Tensor3D, transpose } from '@tensorflow/tfjs-core';
import { ACTIVATIONS, type Activation, activate } from '../activation.js';
import { EncoderConfigError } from '../errors.js';
import { uniformVariable } from '../init.js';
import { maskedMax, zeroPads } from '../masked.js';
import { oneOf, positiveInt, prefix, qualify } from '../options.js';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';
import type { EncoderInput } from '../types.js';

/** Options of {@link cnn}. */
export interface CnnOptions {
  /** F, filters per kernel width. */
  filters: number;
  /** Kernel widths, one convolution each (default `[1, 2, 3]`). Output width = `filters × kernelSizes.length`. */
  kernelSizes?: number[];
  /** Default `'relu'`. */
  activation?: Activation;
  /** Weight-name prefix (default none → `conv3.weight`; with `name: 'enc'` → `enc.conv3.weight`). */
  name?: string;
}

/**
 * Text CNN: for each kernel width k, a 'same'-padded Conv1d (stride 1) over the token vectors with pads zeroed
 * first, the activation, then a masked max over time (pads never win). Widths are concatenated in the order
 * given. Weights per width: `conv{k}.weight` `[F, E, k]` (PyTorch Conv1d layout) and `conv{k}.bias` `[F]`,
 * initialised U(±1/√(E·k)) as PyTorch. Even widths pad one more zero on the right, like PyTorch `'same'`.
 */
export function cnn(options: CnnOptions): StepSpec {
  const filters = positiveInt('cnn.filters', options.filters);
  const kernelSizes = options.kernelSizes ?? [1, 2, 3];
  if (!Array.isArray(kernelSizes) || kernelSizes.length === 0) {
    throw new EncoderConfigError('cnn.kernelSizes', 'a non-empty array of widths', String(kernelSizes));
  }
  kernelSizes.forEach((k, i) => {
    positiveInt(`cnn.kernelSizes[${i}]`, k);
  });
  if (new Set(kernelSizes).size !== kernelSizes.length) {
    throw new EncoderConfigError('cnn.kernelSizes', 'distinct widths', `[${kernelSizes.join(', ')}]`);
  }
  const activation = oneOf('cnn.activation', options.activation ?? 'relu', ACTIVATIONS);
  const name = prefix('cnn.name', options.name, '');
  return {
    type: 'cnn',
    config: {
      type: 'cnn',
      filters,
      kernelSizes: [...kernelSizes],
      activation,
      ...(options.name === undefined ? {} : { name }),
    },
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['sequence'], ctx);
      const e = input.dim;
      const convs = kernelSizes.map((k) => {
        const bound = 1 / Math.sqrt(e * k);
        return {
          k,
          weight: uniformVariable(ctx.rng, [filters, e, k], bound),
          bias: uniformVariable(ctx.rng, [filters], bound),
        };
      });
      return {
        output: { kind: 'vector', dim: filters * kernelSizes.length },
        weights: convs.flatMap((c) => [
          [qualify(name, `conv${c.k}.weight`), c.weight] as const,
          [qualify(name, `conv${c.k}.bias`), c.bias] as const,
        ]),
        apply: (x: Tensor | null, batch: EncoderInput) => {
          const xz = zeroPads(x as Tensor3D, batch.mask);
          const pooled = convs.map(({ weight, bias }) => {
            // PyTorch [F,E,k] → tfjs conv1d filter [k,E,F]; neither framework flips the kernel.
            const y = add(conv1d(xz, transpose(weight, [2, 1, 0]) as Tensor3D, 1, 'same'), bias) as Tensor3D;
            return maskedMax(activate(y, activation), batch.mask);
          });
          return pooled.length === 1 ? pooled[0]! : concat(pooled, 1);
        },
      };
    },
  };
}
