import { lstmFinalState, lstmSequence } from '@siamese/backend/internals';
import {
  add,
  expandDims,
  matMul,
  mul,
  ones,
  reshape,
  type Tensor,
  type Tensor2D,
  type Tensor3D,
  transpose,
} from '@tensorflow/tfjs-core';

/** One direction of one LSTM layer, PyTorch layouts: `wih [4H,E]`, `whh [4H,H]`, biases `[4H]`, gates i,f,g,o. */
export interface LstmDirectionWeights {
  wih: Tensor;
  whh: Tensor;
  bih: Tensor;
  bhh: Tensor;
}

/** How to run {@link lstmDirection}. */
export interface LstmDirectionOptions {
  /** Reads t = T-1..0 instead of 0..T-1. */
  reverse: boolean;
  /**
   * float32 `[B,T]` mask for length-aware (packed) runs: the state is carried unchanged through pads, so the
   * final state is the one after token L-1 (forward) or after token 0 having started at L-1 (reverse), and
   * sequence outputs are 0 at pads. `null` reads pads like an unpacked PyTorch LSTM.
   */
  mask: Tensor2D | null;
  /** Returns every step's h `[B,T,H]` instead of the final state `[B,H]`. */
  sequence: boolean;
}

/**
 * One LSTM direction on `@siamese/backend`'s fused {@link lstmSequence} (one wasm kernel for the recurrence and
 * one for its gradient; plain tfjs ops elsewhere). The input projection for all steps is a single
 * `[B·T,E]×[E,4H]` matmul before the recurrence.
 */
export function lstmDirection(x: Tensor3D, w: LstmDirectionWeights, options: LstmDirectionOptions): Tensor {
  const [B, T, E] = x.shape;
  const H = w.whh.shape[1] as number;
  const xp = reshape(lstmProjection(reshape(x, [B * T, E]) as Tensor2D, w), [B, T, 4 * H]) as Tensor3D;
  return lstmRecurrence(xp, w, options);
}

/** The input projection `x·W_ihᵀ + b_ih + b_hh` of rows `[N, E]` → `[N, 4H]`. */
export function lstmProjection(rows: Tensor2D, w: LstmDirectionWeights): Tensor2D {
  return add(matMul(rows, w.wih as Tensor2D, false, true), add(w.bih, w.bhh));
}

/**
 * A layer's input projection: `[B,T,4H]`, or a folded `[V,4H]` table of per-token projections with the ids
 * `[B,T]` to read it by (the recurrence kernel reads rows in place, no `[B,T,4H]` gather).
 */
export type LstmInput = Tensor3D | { table: Tensor2D; ids: Tensor2D };

/** The recurrence of {@link lstmDirection} given its input projection. */
export function lstmRecurrence(
  xp: LstmInput,
  w: LstmDirectionWeights,
  options: LstmDirectionOptions,
): Tensor {
  const [B, T] = ('table' in xp ? xp.ids.shape : xp.shape) as [number, number];
  const { reverse, mask, sequence } = options;
  const u = transpose(w.whh) as Tensor2D;
  // Unpacked runs read every step: an all-ones mask never carries state over.
  const m = mask ?? (ones([B, T]) as Tensor2D);
  if (!sequence) {
    // Pads carry the state over, so the final state is the one after the last step read (T-1, or 0 in reverse);
    // in inference the kernel then never writes the per-step states.
    return 'table' in xp
      ? lstmFinalState(xp.table, u, m, { reverse, ids: xp.ids })
      : lstmFinalState(xp, u, m, { reverse });
  }
  const hs =
    'table' in xp
      ? lstmSequence(xp.table, u, m, { reverse, ids: xp.ids })
      : lstmSequence(xp, u, m, { reverse });
  return mask ? mul(hs, expandDims(mask, 2)) : hs;
}
