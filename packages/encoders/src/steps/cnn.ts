import { SiameseError } from '@siamese/core';
import {
  add,
  concat,
  conv1d,
  gather,
  matMul,
  max,
  mul,
  pad,
  reshape,
  slice,
  split,
  type Tensor,
  type Tensor2D,
  type Tensor3D,
  tensor1d,
  tensor2d,
  transpose,
  type Variable,
  zeros,
} from '@tensorflow/tfjs-core';
import { ACTIVATIONS, type Activation, activate } from '../activation.js';
import { canFold, FoldCache } from '../fold-cache.js';
import { uniformVariable } from '../init.js';
import { maskedMax, PAD_PENALTY, zeroPads } from '../masked.js';
import { oneOf, positiveInt, prefix, qualify } from '../options.js';
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

/** Options of {@link cnn}. */
export interface CnnOptions {
  /** F, filters per kernel width. */
  filters: number;
  /** Kernel widths, one convolution each (default `[1, 2, 3]`). Output width = `filters × kernelSizes.length`. */
  kernelSizes?: number[];
  /** Default `'relu'`; `'linear'` for sentence-transformers' CNN (its convolutions have no activation). */
  activation?: Activation;
  /**
   * What the step returns: `'max'` (default; the masked max over time, one vector per sentence) or `'sequence'`
   * (`[B,T,F·widths]`: each token's activated convolutions, zero at pads, for a following `pooling` or other
   * sequence step; sentence-transformers' `CNN` module is `cnn({ activation: 'linear', output: 'sequence' })`).
   */
  output?: 'max' | 'sequence';
  /** Weight-name prefix (default none → `conv3.weight`; with `name: 'enc'` → `enc.conv3.weight`). */
  name?: string;
}

/**
 * Text CNN: for each kernel width k, a 'same'-padded Conv1d (stride 1) over the token vectors with pads zeroed
 * first, the activation, then a masked max over time (pads never win), or, with `output: 'sequence'`, no pooling
 * (each real token's outputs, pads zero). Widths are concatenated in the order given. Weights per width:
 * `conv{k}.weight` `[F, E, k]` (PyTorch Conv1d layout) and `conv{k}.bias` `[F]`, initialised U(±1/√(E·k)) as
 * PyTorch. Even widths pad one more zero on the right, like PyTorch `'same'`.
 */
export function cnn(options: CnnOptions): StepSpec {
  const filters = positiveInt('cnn.filters', options.filters);
  const kernelSizes = options.kernelSizes ?? [1, 2, 3];
  if (!Array.isArray(kernelSizes) || kernelSizes.length === 0) {
    throw SiameseError.expected(
      'E_ENCODER_CONFIG',
      'cnn.kernelSizes',
      'a non-empty array of widths',
      String(kernelSizes),
    );
  }
  kernelSizes.forEach((k, i) => {
    positiveInt(`cnn.kernelSizes[${i}]`, k);
  });
  if (new Set(kernelSizes).size !== kernelSizes.length) {
    throw SiameseError.expected(
      'E_ENCODER_CONFIG',
      'cnn.kernelSizes',
      'distinct widths',
      `[${kernelSizes.join(', ')}]`,
    );
  }
  const activation = oneOf('cnn.activation', options.activation ?? 'relu', ACTIVATIONS);
  const output = oneOf('cnn.output', options.output ?? 'max', ['max', 'sequence'] as const);
  const name = prefix('cnn.name', options.name, '');
  return {
    type: 'cnn',
    config: {
      type: 'cnn',
      filters,
      kernelSizes: [...kernelSizes],
      activation,
      // Recorded only when not the default, so configs saved before the option existed stay the same.
      ...(output === 'max' ? {} : { output }),
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
      const width = filters * kernelSizes.length;
      const folds = new FoldCache();
      const forward = (source: Source, batch: EncoderInput, run: RunContext): Tensor => {
        const [b, T] = batch.ids.shape;
        const steps = Math.min(T, longest(batch.lengths));
        const real = realTokens(batch.lengths, steps);
        if (real.count === 0) {
          // No token anywhere: every position is a pad (zero), and every sentence pools to zeros.
          if (output === 'sequence') return zeros([b, T, width]);
          const x = 'x' in source ? source.x : (lookupRows(source.table, batch.ids) as Tensor3D);
          return concatWidths(convs.map((c) => convPadded(x, c, batch.mask, activation)));
        }
        // The activated convolutions at the N real tokens, `[N, F·widths]`, then pooled or laid out again.
        const y = activate(
          concatWidths(atRealTokens(source, batch, run, real, steps)),
          activation,
        ) as Tensor2D;
        if (output === 'sequence') return sequenceOf(y, real, b, T);
        // Sentences without tokens pool to zero (as the masked max does); only then is a multiply needed.
        const hasTokens = batch.lengths.every((l) => l > 0)
          ? null
          : tensor2d(
              Float32Array.from(batch.lengths, (l) => (l > 0 ? 1 : 0)),
              [b, 1],
            );
        return maxOverReal(y, real, b, hasTokens);
      };
      /** Each width's convolution (bias added, no activation) at the real tokens: `[N, F]` per width. */
      const atRealTokens = (
        source: Source,
        batch: EncoderInput,
        run: RunContext,
        real: RealTokens,
        steps: number,
      ): Tensor2D[] => {
        const [b, T] = batch.ids.shape;
        if ('table' in source) {
          const { table } = source;
          const ids = steps < T ? slice(batch.ids, [0, 0], [b, steps]) : batch.ids;
          const realIds = gather(reshape(ids, [b * steps]), real.positions());
          const vocab = table.table.shape[0];
          // P_j = E·W_j per kernel offset j (plus a zero row at V for out-of-sentence neighbours).
          const offsets = convs.reduce((n, c) => n + c.k, 0); // one table per kernel offset
          const tables = canFold(run, offsets * (vocab + 1) * filters * 4)
            ? folds.get([table.table, ...convs.map((c) => c.weight)], () =>
                foldTables(tableRows(table), convs),
              )
            : null;
          if (tables) {
            const idsOrZeroRow = concat([realIds, tensor1d([vocab], 'int32')]); // number N reads row V
            let at = 0;
            return convs.map(({ k, bias }) => {
              const nb = reshape(real.neighbours(k), [real.count, k]);
              let y: Tensor = bias;
              for (let j = 0; j < k; j++) {
                const offsetJ = reshape(slice(nb, [0, j], [real.count, 1]), [real.count]);
                const tokenIds = gather(idsOrZeroRow, offsetJ);
                y = add(y, gather(tables[at++]!, tokenIds));
              }
              return y as Tensor2D;
            });
          }
          const rows = lookupRows(table, realIds) as Tensor2D;
          return convs.map((c) => im2colConv(rows, c, real));
        }
        const [, , e] = source.x.shape;
        const x = steps < T ? slice(source.x, [0, 0, 0], [b, steps, e]) : source.x;
        const rows = toReal(reshape(x, [b * steps, e]) as Tensor2D, real);
        return convs.map((c) => im2colConv(rows, c, real));
      };
      return {
        output: { kind: output === 'sequence' ? 'sequence' : 'vector', dim: width },
        weights: convs.flatMap((c) => [
          [qualify(name, `conv${c.k}.weight`), c.weight] as const,
          [qualify(name, `conv${c.k}.bias`), c.bias] as const,
        ]),
        apply: (x: Tensor | null, batch: EncoderInput, run: RunContext) =>
          forward({ x: x as Tensor3D }, batch, run),
        applyFromTable: (table: TokenTable, batch: EncoderInput, run: RunContext) =>
          forward({ table }, batch, run),
        dispose: () => folds.dispose(),
      };
    },
  };
}

/** One kernel width's weights: `[F, E, k]` (PyTorch layout) and `[F]`. */
interface Conv {
  k: number;
  weight: Variable;
  bias: Variable;
}

/** The CNN's input: a sequence `[B,T,E]`, or the previous embedding's table (ids come from the batch). */
type Source = { x: Tensor3D } | { table: TokenTable };

function concatWidths(parts: Tensor2D[]): Tensor2D {
  return parts.length === 1 ? parts[0]! : (concat(parts, 1) as Tensor2D);
}

/**
 * The 'same' convolution at the real tokens only, as a matmul: each row gathers the k neighbours' vectors
 * (an appended zero row stands for pads and positions outside the sentence) → `[N, k·E] × [k·E, F]` + bias.
 */
function im2colConv(rows: Tensor2D, { k, weight, bias }: Conv, real: RealTokens): Tensor2D {
  const e = rows.shape[1];
  const padded = concat([rows, zeros([1, e])]);
  const cols = reshape(gather(padded, real.neighbours(k)), [real.count, k * e]);
  // PyTorch [F,E,k] → [k,E,F] → [k·E, F], matching the column order j·E + e.
  const w = reshape(transpose(weight, [2, 1, 0]), [k * e, weight.shape[0]]);
  return add(matMul(cols as Tensor2D, w as Tensor2D), bias);
}

/** Per-offset folded tables `[V+1, F]`: row v is `E[v]·W_j`, row V is zero. */
function foldTables(table: Tensor2D, convs: readonly Conv[]): Tensor[] {
  return convs.flatMap(({ k, weight }) => {
    const [f, e] = weight.shape as [number, number, number];
    const all = matMul(table, reshape(transpose(weight, [1, 2, 0]), [e, k * f]) as Tensor2D); // [V, k·F]
    const withZero = concat([all, zeros([1, k * f])]);
    return k === 1 ? [withZero] : split(withZero, k, 1);
  });
}

/** The real tokens' rows `[N, C]` laid out as the padded batch `[B, T, C]`, pads zero. */
function sequenceOf(y: Tensor2D, real: RealTokens, b: number, T: number): Tensor3D {
  const c = y.shape[1];
  const seq = reshape(toPadded(y, real), [b, real.steps, c]) as Tensor3D;
  return real.steps < T
    ? pad(seq, [
        [0, 0],
        [0, T - real.steps],
        [0, 0],
      ])
    : seq;
}

/**
 * Masked max over each sentence's real tokens of `y` `[N, F]`: scattered back to `[B, steps, F]` with pads
 * reading a -1e9 row (they never win), max over steps, and zero for sentences without tokens.
 */
function maxOverReal(y: Tensor2D, real: RealTokens, b: number, hasTokens: Tensor2D | null): Tensor2D {
  const f = y.shape[1];
  const padded = toPadded(y, real, -PAD_PENALTY);
  const best = max(reshape(padded, [b, real.steps, f]), 1) as Tensor2D;
  return hasTokens ? mul(best, hasTokens) : best;
}

/** The reference layout: zero the pads, 'same' Conv1d over `[B,T,E]`, bias, masked max (used without tokens). */
function convPadded(x: Tensor3D, { weight, bias }: Conv, mask: Tensor2D, activation: Activation): Tensor2D {
  const xz = zeroPads(x, mask);
  // PyTorch [F,E,k] → tfjs conv1d filter [k,E,F]; neither framework flips the kernel.
  const y = add(conv1d(xz, transpose(weight, [2, 1, 0]) as Tensor3D, 1, 'same'), bias) as Tensor3D;
  return maskedMax(activate(y, activation) as Tensor3D, mask);
}
