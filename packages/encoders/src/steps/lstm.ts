import { concat, pad, slice, type Tensor, type Tensor3D, type Variable } from '@tensorflow/tfjs-core';
import { uniformVariable } from '../init.js';
import { lstmDirection } from '../lstm-direction.js';
import { bool, oneOf, positiveInt, prefix, qualify, rate } from '../options.js';
import { type BuildContext, expectKind, type Port, type Step, type StepSpec } from '../step.js';
import type { EncoderInput } from '../types.js';
import { applyDropout } from './dropout.js';
import { pool } from './pooling.js';

/** Options of {@link lstm}. */
export interface LstmOptions {
  /** H, hidden size per direction. */
  hidden: number;
  /** Stacked layers (default 1). */
  layers?: number;
  /** Adds a reverse direction; outputs concatenate `[forward, backward]` (default false). */
  bidirectional?: boolean;
  /**
   * What the step returns: `'last'` (default; the final state of the last layer, `h_n` — per direction,
   * concatenated), `'mean'` / `'max'` (masked pooling of the last layer's outputs), or `'sequence'`
   * (`[B,T,H·dirs]`, for further sequence steps).
   */
  output?: 'last' | 'mean' | 'max' | 'sequence';
  /** Dropout between stacked layers, when training (default 0). */
  dropout?: number;
  /**
   * Length-aware (default true), like PyTorch packed sequences: pads are never read; the forward final state
   * is taken after token L-1 and the backward direction starts at token L-1. `false` reads the pads (the
   * behaviour of a padded, unpacked PyTorch LSTM).
   */
  packed?: boolean;
  /** Weight-name prefix (default none: `weight_ih_l0`…, exactly PyTorch's `nn.LSTM` names). */
  name?: string;
}

/**
 * LSTM over a sequence `[B,T,E]`, PyTorch semantics: gate order i,f,g,o, sigmoid gates, `h₀ = c₀ = 0`.
 * Weights (per layer l, `_reverse` suffix for the backward direction), PyTorch names and layouts:
 * `weight_ih_l{l}` `[4H, in]`, `weight_hh_l{l}` `[4H, H]`, `bias_ih_l{l}` `[4H]`, `bias_hh_l{l}` `[4H]`
 * (two biases kept apart so Adam matches PyTorch), initialised U(±1/√H). `in` is E for layer 0, H·dirs after.
 */
export function lstm(options: LstmOptions): StepSpec {
  const hidden = positiveInt('lstm.hidden', options.hidden);
  const layers = positiveInt('lstm.layers', options.layers ?? 1);
  const bidirectional = bool('lstm.bidirectional', options.bidirectional, false);
  const output = oneOf('lstm.output', options.output ?? 'last', ['last', 'mean', 'max', 'sequence'] as const);
  const dropoutRate = rate('lstm.dropout', options.dropout ?? 0);
  const packed = bool('lstm.packed', options.packed, true);
  const name = prefix('lstm.name', options.name, '');
  const dirs = bidirectional ? 2 : 1;
  return {
    type: 'lstm',
    config: {
      type: 'lstm',
      hidden,
      layers,
      bidirectional,
      output,
      dropout: dropoutRate,
      packed,
      ...(options.name === undefined ? {} : { name }),
    },
    build(input: Port, ctx: BuildContext): Step {
      expectKind(input, ['sequence'], ctx);
      const bound = 1 / Math.sqrt(hidden);
      const weights: [string, Variable][] = [];
      const cells: { wih: Variable; whh: Variable; bih: Variable; bhh: Variable }[][] = [];
      for (let l = 0; l < layers; l++) {
        const inDim = l === 0 ? input.dim : hidden * dirs;
        const layer = [];
        for (let d = 0; d < dirs; d++) {
          const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
          const cell = {
            wih: uniformVariable(ctx.rng, [4 * hidden, inDim], bound),
            whh: uniformVariable(ctx.rng, [4 * hidden, hidden], bound),
            bih: uniformVariable(ctx.rng, [4 * hidden], bound),
            bhh: uniformVariable(ctx.rng, [4 * hidden], bound),
          };
          weights.push(
            [qualify(name, `weight_ih${suffix}`), cell.wih],
            [qualify(name, `weight_hh${suffix}`), cell.whh],
            [qualify(name, `bias_ih${suffix}`), cell.bih],
            [qualify(name, `bias_hh${suffix}`), cell.bhh],
          );
          layer.push(cell);
        }
        cells.push(layer);
      }
      const width = hidden * dirs;
      return {
        output: { kind: output === 'sequence' ? 'sequence' : 'vector', dim: width },
        weights,
        apply: (x: Tensor | null, batch: EncoderInput, run) => {
          const full = x as Tensor3D;
          const [b, T, e] = full.shape;
          // Packed runs never read past the longest sentence: drop the all-pad tail steps up front.
          const steps = packed ? Math.min(T, Math.max(1, ...batch.lengths)) : T;
          const trimmed = steps < T;
          const mask = trimmed ? slice(batch.mask, [0, 0], [b, steps]) : batch.mask;
          let seq = trimmed ? slice(full, [0, 0, 0], [b, steps, e]) : full;
          for (let l = 0; l < layers; l++) {
            const finalOnly = l === layers - 1 && output === 'last';
            const outs = cells[l]!.map((cell, d) =>
              lstmDirection(seq, cell, {
                reverse: d === 1,
                mask: packed ? mask : null,
                sequence: !finalOnly,
              }),
            );
            const merged = outs.length === 1 ? outs[0]! : concat(outs, finalOnly ? 1 : 2);
            if (finalOnly) return merged;
            seq = (l < layers - 1 ? applyDropout(merged, dropoutRate, run) : merged) as Tensor3D;
          }
          if (output !== 'sequence') return pool(seq, mask, output === 'max' ? 'max' : 'mean');
          return trimmed
            ? pad(seq, [
                [0, 0],
                [0, T - steps],
                [0, 0],
              ])
            : seq;
        },
      };
    },
  };
}
