import {
  add,
  dispose,
  engine,
  expandDims,
  gather,
  getBackend,
  getKernel,
  matMul,
  mul,
  type NamedTensorMap,
  sigmoid,
  slice,
  split,
  squeeze,
  stack,
  sub,
  type Tensor,
  type Tensor2D,
  type Tensor3D,
  tanh,
  tidy,
  unstack,
  zeros,
} from '@tensorflow/tfjs-core';
import { gradientTapeOn } from '../gradient-tape.js';
import { simdKernels } from '../simd-kernels.js';
import { LSTM_SEQUENCE, LSTM_SEQUENCE_TABLE } from './lstm-sequence.js';

/** Options of {@link lstmSequence}. */
export interface LstmSequenceOptions {
  /** Run from the last step to the first (the backward half of a BiLSTM). Default false. */
  reverse?: boolean;
  /**
   * Token ids `[B, T]`: `xp` is then a `[V, 4H]` table of per-token projections (e.g. the embedding folded into
   * x·W + b) and step t of row b reads row `ids[b, t]`. The SIMD kernels read it in place; elsewhere it is a gather.
   */
  ids?: Tensor2D;
}

/**
 * One LSTM layer over a padded batch: returns hs [B, T, H], the hidden state after every step. `xp` [B, T, 4H] is
 * the input projection x·W + b (one matmul for all steps; or a [V, 4H] table with `options.ids`), `u` [H, 4H] the
 * recurrent weights, gate order i, f, g, o (PyTorch's). `mask` [B, T] is 1 for tokens and 0 for padding: a padded step carries h and c over unchanged, so
 * `hs[:, T-1]` is each sequence's final state (with `reverse`, `hs[:, 0]`). Differentiable w.r.t. xp and u.
 *
 * On wasm (after `initBackend()`) the recurrence and its gradient are two fused kernels; elsewhere, or with
 * `performanceKernels: false`, the same math runs as plain tfjs ops.
 *
 * @example
 * ```ts
 * const xp = tf.reshape(tf.add(tf.matMul(tf.reshape(emb, [B * T, D]), W), b), [B, T, 4 * H]);
 * const hs = lstmSequence(xp, U, mask);                  // [B, T, H]
 * const last = tf.squeeze(tf.slice(hs, [0, T - 1, 0], [B, 1, H]), [1]);
 * ```
 */
export function lstmSequence(
  xp: Tensor3D,
  u: Tensor2D,
  mask: Tensor2D,
  options?: LstmSequenceOptions,
): Tensor3D;
export function lstmSequence(
  table: Tensor2D,
  u: Tensor2D,
  mask: Tensor2D,
  options: LstmSequenceOptions & { ids: Tensor2D },
): Tensor3D;
export function lstmSequence(
  xp: Tensor3D | Tensor2D,
  u: Tensor2D,
  mask: Tensor2D,
  options: LstmSequenceOptions = {},
): Tensor3D {
  return runLstm(xp, u, mask, options, false) as Tensor3D;
}

/**
 * Like {@link lstmSequence} but returns only each row's final state `[B, H]` (after its last token; with
 * `reverse`, after its first). In inference (no gradient tape) on the SIMD kernels, the per-step states are never
 * written; otherwise it is `lstmSequence` followed by a slice.
 */
export function lstmFinalState(
  xp: Tensor3D,
  u: Tensor2D,
  mask: Tensor2D,
  options?: LstmSequenceOptions,
): Tensor2D;
export function lstmFinalState(
  table: Tensor2D,
  u: Tensor2D,
  mask: Tensor2D,
  options: LstmSequenceOptions & { ids: Tensor2D },
): Tensor2D;
export function lstmFinalState(
  xp: Tensor3D | Tensor2D,
  u: Tensor2D,
  mask: Tensor2D,
  options: LstmSequenceOptions = {},
): Tensor2D {
  return runLstm(xp, u, mask, options, true) as Tensor2D;
}

function runLstm(
  xp: Tensor3D | Tensor2D,
  u: Tensor2D,
  mask: Tensor2D,
  options: LstmSequenceOptions,
  final: boolean,
): Tensor {
  const reverse = options.reverse === true;
  const { ids } = options;
  const kernel = ids ? LSTM_SEQUENCE_TABLE : LSTM_SEQUENCE;
  const fused = getBackend() === 'wasm' && getKernel(kernel, 'wasm') !== undefined;
  const simd = fused && simdKernels(engine().backend) !== undefined;
  if ((ids && !simd) || !fused) {
    // Plain ops (or a gather feeding the fused kernel without the table mode), then the final step's slice.
    return tidy(() => {
      const x = ids ? (gather(xp, ids) as Tensor3D) : (xp as Tensor3D);
      const hs = fused ? lstmSequence(x, u, mask, { reverse }) : lstmWithOps(x, u, mask, reverse);
      return final ? lastState(hs, reverse) : hs;
    });
  }
  // Without a gradient tape nothing needs the saved cell states and activations.
  const keepForGradient = gradientTapeOn();
  const finalOnly = final && simd && !keepForGradient;
  const inputs: NamedTensorMap = ids ? { xp, U: u, mask, ids } : { xp, U: u, mask };
  const [hs, cs, acts] = engine().runKernel(kernel, inputs, {
    reverse,
    keepForGradient,
    finalOnly,
  }) as Tensor[];
  dispose([cs!, acts!]); // the gradient keeps its own references
  if (!final || finalOnly) return hs!;
  const last = lastState(hs as Tensor3D, reverse);
  hs!.dispose();
  return last;
}

/** hs[:, T-1] (or hs[:, 0] in reverse): pads carry the state over, so that is each row's final state. */
function lastState(hs: Tensor3D, reverse: boolean): Tensor2D {
  const [b, t, h] = hs.shape;
  return squeeze(slice(hs, [0, reverse ? 0 : t - 1, 0], [b, 1, h]), [1]) as Tensor2D;
}

/** The reference: the same recurrence as plain differentiable ops. */
function lstmWithOps(xp: Tensor3D, u: Tensor2D, mask: Tensor2D, reverse: boolean): Tensor3D {
  const [batch, steps] = xp.shape;
  const hidden = u.shape[0];
  const xs = unstack(xp, 1);
  const ms = unstack(expandDims(mask, 2), 1);
  let h: Tensor = zeros([batch, hidden]);
  let c: Tensor = zeros([batch, hidden]);
  const hs = new Array<Tensor>(steps);
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    const [i, f, g, o] = split(add(xs[t]!, matMul(h, u)), 4, 1) as [Tensor, Tensor, Tensor, Tensor];
    const c2 = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
    const h2 = mul(sigmoid(o), tanh(c2));
    const m = ms[t]!;
    c = add(c, mul(m, sub(c2, c)));
    h = add(h, mul(m, sub(h2, h)));
    hs[t] = h;
  }
  return stack(hs, 1) as Tensor3D;
}
