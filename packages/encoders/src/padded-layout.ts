import { concat, customGrad, fill, gather, type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';
import type { RealTokens } from './real-tokens.js';

/**
 * Moves rows between the real-token layout `[N, D]` and the padded layout `[B·steps, D]` of a {@link RealTokens}
 * plan. Both directions are gathers, and each one's gradient is the other gather (the maps are inverse on real
 * tokens), so no backward pass needs a scatter-add (`UnsortedSegmentSum`, the default gradient of a gather).
 */

type Save = (tensors: Tensor[]) => void;

/** Real rows `[N, D]` → padded `[B·steps, D]`; pad rows read `padValue` (0, or −1e9 for a max). */
export function toPadded(rows: Tensor2D, real: RealTokens, padValue = 0): Tensor2D {
  const slots = real.slots();
  const positions = real.positions();
  // customGrad's typing takes a variadic (Tensor | save) function; ours is unary.
  const op = customGrad(((x: Tensor, save: Save) => {
    save([positions]); // the tape keeps its own copy: the plan's tensors die with the encode call
    const value = gather(concat([x, fill([1, x.shape[1]!], padValue)]), slots);
    // Every real row lands in exactly one slot: its gradient is that slot's row.
    return { value, gradFunc: (dy: Tensor, saved: Tensor[]) => gather(dy, saved[0]!) };
  }) as unknown as Parameters<typeof customGrad>[0]);
  return op(rows) as Tensor2D;
}

/** Padded rows `[B·steps, D]` → the real tokens' rows `[N, D]`; pads get a zero gradient. */
export function toReal(rows: Tensor2D, real: RealTokens): Tensor2D {
  const slots = real.slots();
  const positions = real.positions();
  const op = customGrad(((x: Tensor, save: Save) => {
    save([slots]);
    const value = gather(x, positions);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => gather(concat([dy, fill([1, dy.shape[1]!], 0)]), saved[0]!),
    };
  }) as unknown as Parameters<typeof customGrad>[0]);
  return op(rows) as Tensor2D;
}
