import {
  concat,
  gather,
  pad,
  reshape,
  slice,
  type Tensor,
  type Tensor2D,
  type Tensor3D,
  type Variable,
} from '@tensorflow/tfjs-core';
import { canFold, FoldCache } from '../fold-cache.js';
import { uniformVariable } from '../init.js';
import {
  type LstmDirectionWeights,
  type LstmInput,
  lstmProjection,
  lstmRecurrence,
} from '../lstm-direction.js';
import { bool, oneOf, positiveInt, prefix, qualify, rate } from '../options.js';
import { toPadded, toReal } from '../padded-layout.js';
import { longest, type RealTokens, realTokens } from '../real-tokens.js';
import {
  type BuildContext,
  expectKind,
  type Port,
  type RunContext,
  type Step,
  type StepSpec,
} from '../step.js';
import { lookupRows, type TokenTable, tableRows } from '../token-table.js';
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
      const folds = new FoldCache();
      const forward = (source: Source, batch: EncoderInput, run: RunContext): Tensor => {
        const [b, T] = batch.ids.shape;
        // Packed runs never read past the longest sentence: drop the all-pad tail steps up front.
        const steps = packed ? Math.min(T, longest(batch.lengths)) : T;
        const trimmed = steps < T;
        const mask = trimmed ? slice(batch.mask, [0, 0], [b, steps]) : batch.mask;
        // Packed runs project only the real tokens (pads are skipped by the recurrence); unpacked ones read all.
        const plan = packed ? realTokens(batch.lengths, steps) : null;
        const real = plan && plan.count > 0 ? plan : null;
        let xps: LstmInput[] = layerZero(source, batch, steps, real, run);
        let seq: Tensor3D | null = null;
        for (let l = 0; l < layers; l++) {
          const finalOnly = l === layers - 1 && output === 'last';
          if (seq) {
            const rows = realRows(reshape(seq, [b * steps, width]) as Tensor2D, real);
            xps = cells[l]!.map((cell) => project(rows, cell, real, b, steps));
          }
          const outs = cells[l]!.map((cell, d) =>
            lstmRecurrence(xps[d]!, cell, {
              reverse: d === 1,
              mask: packed ? mask : null,
              sequence: !finalOnly,
            }),
          );
          const merged = outs.length === 1 ? outs[0]! : concat(outs, finalOnly ? 1 : 2);
          if (finalOnly) return merged;
          seq = (l < layers - 1 ? applyDropout(merged, dropoutRate, run) : merged) as Tensor3D;
        }
        const last = seq as Tensor3D;
        if (output !== 'sequence') return pool(last, mask, output === 'max' ? 'max' : 'mean');
        return trimmed
          ? pad(last, [
              [0, 0],
              [0, T - steps],
              [0, 0],
            ])
          : last;
      };
      /** Input projections of layer 0, one per direction: `[B,steps,4H]`, or a folded table and its ids. */
      const layerZero = (
        source: Source,
        batch: EncoderInput,
        steps: number,
        real: RealTokens | null,
        run: RunContext,
      ): LstmInput[] => {
        const first = cells[0]!;
        const [b, T] = batch.ids.shape;
        if ('table' in source) {
          const { table } = source;
          const ids = steps < T ? slice(batch.ids, [0, 0], [b, steps]) : batch.ids;
          const bytes = first.length * table.table.shape[0] * 4 * hidden * 4; // one table per direction
          // P = E·W_ihᵀ + b per direction: the projection of a token is one row of P.
          const folded = canFold(run, bytes)
            ? folds.get([table.table, ...first.flatMap((c) => [c.wih, c.bih, c.bhh])], () =>
                first.map((cell) => lstmProjection(tableRows(table), cell)),
              )
            : null;
          // The recurrence reads the folded rows by id in place (no [B,steps,4H] gather).
          if (folded) return folded.map((p) => ({ table: p as Tensor2D, ids: ids as Tensor2D }));
          const flat = reshape(ids, [b * steps]);
          const rows = lookupRows(table, real ? gather(flat, real.positions()) : flat) as Tensor2D;
          return first.map((cell) => project(rows, cell, real, b, steps));
        }
        const x = source.x;
        const e = x.shape[2];
        const seqIn = steps < T ? slice(x, [0, 0, 0], [b, steps, e]) : x;
        const rows = realRows(reshape(seqIn, [b * steps, e]) as Tensor2D, real);
        return first.map((cell) => project(rows, cell, real, b, steps));
      };
      return {
        output: { kind: output === 'sequence' ? 'sequence' : 'vector', dim: width },
        weights,
        apply: (x: Tensor | null, batch: EncoderInput, run: RunContext) =>
          forward({ x: x as Tensor3D }, batch, run),
        applyFromTable: (table: TokenTable, batch: EncoderInput, run: RunContext) =>
          forward({ table }, batch, run),
        dispose: () => folds.dispose(),
      };
    },
  };
}

/** Layer 0's input: a sequence `[B,T,E]`, or the previous embedding's table (ids come from the batch). */
type Source = { x: Tensor3D } | { table: TokenTable };

/** The real tokens' rows of a flat `[B·steps, D]` sequence (all rows without a plan). */
function realRows(rows: Tensor2D, real: RealTokens | null): Tensor2D {
  return real ? toReal(rows, real) : rows;
}

/**
 * Projects rows `[N, E]` → `[B, steps, 4H]`. With a real-token plan the rows are the N real tokens and are
 * scattered back by a gather whose pad entries read an appended zero row (the recurrence skips pads).
 */
function project(
  rows: Tensor2D,
  cell: LstmDirectionWeights,
  real: RealTokens | null,
  b: number,
  steps: number,
): Tensor3D {
  const xp = lstmProjection(rows, cell);
  const g = xp.shape[1];
  const full = real ? toPadded(xp, real) : xp;
  return reshape(full, [b, steps, g]) as Tensor3D;
}
