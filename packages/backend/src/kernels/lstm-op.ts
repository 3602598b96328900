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
  sigmoid,
  split,
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
 * One LSTM layer over a padded batch: returns hs [B, T, H], the hidden state after every step. `xp` [B, T, 4H] (or a
 * [V, 4H] table with `options.ids`) is
 * the input projection x·W + b (one matmul for all steps), `u` [H, 4H] the recurrent weights, gate order i, f, g, o
 * (PyTorch's). `mask` [B, T] is 1 for tokens and 0 for padding: a padded step carries h and c over unchanged, so
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
  const reverse = options.reverse === true;
  const { ids } = options;
  if (ids) {
    if (
      getBackend() !== 'wasm' ||
      !getKernel(LSTM_SEQUENCE_TABLE, 'wasm') ||
      !simdKernels(engine().backend)
    ) {
      return tidy(() => lstmSequence(gather(xp, ids) as Tensor3D, u, mask, { reverse }));
    }
    const keepForGradient = (engine() as unknown as { isTapeOn?: () => boolean }).isTapeOn?.() ?? true;
    const [hs, cs, acts] = engine().runKernel(
      LSTM_SEQUENCE_TABLE,
      { xp, U: u, mask, ids },
      { reverse, keepForGradient },
    ) as Tensor[];
    dispose([cs!, acts!]);
    return hs as Tensor3D;
  }
  if (getBackend() === 'wasm' && getKernel(LSTM_SEQUENCE, 'wasm')) {
    // Without a gradient tape nothing needs the saved cell states and activations.
    const keepForGradient = (engine() as unknown as { isTapeOn?: () => boolean }).isTapeOn?.() ?? true;
    const [hs, cs, acts] = engine().runKernel(
      LSTM_SEQUENCE,
      { xp, U: u, mask },
      { reverse, keepForGradient },
    ) as Tensor[];
    dispose([cs!, acts!]); // the gradient keeps its own references
    return hs as Tensor3D;
  }
  return tidy(() => lstmWithOps(xp as Tensor3D, u, mask, reverse));
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
