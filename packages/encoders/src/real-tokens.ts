import { type Tensor1D, tensor1d } from '@tensorflow/tfjs-core';

/**
 * Where the real tokens of a right-padded batch sit, planned on the host from `lengths` (no device read).
 * Real tokens are numbered n = 0..N-1 sentence by sentence; the number N stands for "no token" (a pad or a
 * neighbour outside the sentence), so callers append one extra row (zero, or a loser for a max) at index N.
 */
export interface RealTokens {
  /** N, the number of real tokens. */
  readonly count: number;
  /** T the plan covers (lengths are clamped to it). */
  readonly steps: number;
  /** int32 `[N]`: flat position `b·steps + t` of each real token. */
  positions(): Tensor1D;
  /** int32 `[B·steps]`: the real-token number at each position, N at pads (gather index that scatters back). */
  slots(): Tensor1D;
  /**
   * int32 `[N·k]`, token-major: for real token n and offset j (0..k-1), the number of the token at
   * `t + j - ⌊(k-1)/2⌋` in the same sentence, or N outside it (the 'same' padding of a width-k convolution).
   */
  neighbours(k: number): Tensor1D;
}

/** Plans {@link RealTokens} for `lengths` over `steps` positions per sentence. */
export function realTokens(lengths: Int32Array, steps: number): RealTokens {
  const lens = Array.from(lengths, (l) => Math.max(0, Math.min(steps, l)));
  const starts = new Int32Array(lens.length);
  let count = 0;
  lens.forEach((l, b) => {
    starts[b] = count;
    count += l;
  });
  // Each index tensor is built once per plan (a plan lives for one encode call, inside its tidy).
  const made = new Map<string, Tensor1D>();
  const once = (key: string, make: () => Int32Array): Tensor1D => {
    let t = made.get(key);
    if (!t) {
      t = tensor1d(make(), 'int32');
      made.set(key, t);
    }
    return t;
  };
  return {
    count,
    steps,
    positions: () =>
      once('positions', () => {
        const out = new Int32Array(count);
        lens.forEach((l, b) => {
          for (let t = 0; t < l; t++) out[starts[b]! + t] = b * steps + t;
        });
        return out;
      }),
    slots: () =>
      once('slots', () => {
        const out = new Int32Array(lens.length * steps).fill(count);
        lens.forEach((l, b) => {
          for (let t = 0; t < l; t++) out[b * steps + t] = starts[b]! + t;
        });
        return out;
      }),
    neighbours: (k: number) =>
      once(`neighbours${k}`, () => {
        const left = Math.floor((k - 1) / 2);
        const out = new Int32Array(count * k);
        lens.forEach((l, b) => {
          for (let t = 0; t < l; t++) {
            const row = (starts[b]! + t) * k;
            for (let j = 0; j < k; j++) {
              const p = t + j - left;
              out[row + j] = p >= 0 && p < l ? starts[b]! + p : count;
            }
          }
        });
        return out;
      }),
  };
}

/** The longest length, at least 1 (a loop: spreading a batch's lengths into `Math.max` overflows on huge batches). */
export function longest(lengths: ArrayLike<number>): number {
  let m = 1;
  for (let i = 0; i < lengths.length; i++) if (lengths[i]! > m) m = lengths[i]!;
  return m;
}
