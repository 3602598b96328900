import {
  add,
  clone,
  concat,
  customGrad,
  type GradSaveFunc,
  getBackend,
  matMul,
  mul,
  reshape,
  sigmoid,
  split,
  square,
  stack,
  sub,
  sum,
  type Tensor,
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  tanh,
  tensor2d,
  transpose,
  unstack,
  zeros,
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
 * Splits a time-major `[T, N]` tensor into T tensors of `shape`. On wasm and cpu this is one host read and T
 * uploads: the stock wasm Slice/SplitV/Unpack kernels copy the whole input on every call (20 × 10 MB for a
 * 256-sentence batch), which dominated the LSTM loop. Other backends keep the data on the device (unstack).
 */
function splitSteps(x: Tensor2D, shape: [number, number]): Tensor2D[] {
  const [T, n] = x.shape;
  const where = getBackend();
  if (where === 'wasm' || where === 'cpu') {
    const data = x.dataSync() as Float32Array;
    return Array.from({ length: T }, (_, t) => tensor2d(data.subarray(t * n, (t + 1) * n), shape, 'float32'));
  }
  return unstack(x).map((row) => reshape(row, shape) as Tensor2D);
}

/** Per-step values the backward pass needs, in `save()` order. */
const PER_STEP = 7; // i, f, g, o, tanh(c_t), c_{t-1}, h_{t-1}

/**
 * A fused LSTM direction with a hand-written backward pass (`customGrad`). The input projection for all time
 * steps is one `[T·B,E]×[E,4H]` matmul before the loop; the loop does one `[B,H]×[H,4H]` matmul per step;
 * every matmul is transpose-free (the weights are transposed once per call). The backward pass collects the
 * gate gradients of all steps and computes the weight gradients with three matmuls after the loop.
 */
export function lstmDirection(x: Tensor3D, w: LstmDirectionWeights, options: LstmDirectionOptions): Tensor {
  const [B, T, E] = x.shape;
  const H = w.whh.shape[1] as number;
  const { reverse, mask, sequence } = options;
  const order = Array.from({ length: T }, (_, k) => (reverse ? T - 1 - k : k));

  const op = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [xIn, wih, whh, bih, bhh] = args as Tensor[];
    const save = args[5] as GradSaveFunc;
    const xTM = reshape(transpose(xIn!, [1, 0, 2]), [T * B, E]) as Tensor2D;
    const proj = reshape(add(matMul(xTM, transpose(wih!)), add(bih!, bhh!)), [T, B * 4 * H]) as Tensor2D;
    const projSteps = splitSteps(proj, [B, 4 * H]);
    const whhT = transpose(whh!);
    const maskSteps = mask ? splitSteps(transpose(mask) as Tensor2D, [B, 1]) : null;
    let h: Tensor2D = zeros([B, H]);
    let c: Tensor2D = zeros([B, H]);
    const perStep: Tensor[] = new Array(T * PER_STEP);
    const outs: Tensor[] = new Array(T);
    for (const t of order) {
      const z = add(projSteps[t]!, matMul(h, whhT));
      const [zi, zf, zg, zo] = split(z, 4, 1);
      const i = sigmoid(zi!);
      const f = sigmoid(zf!);
      const g = tanh(zg!);
      const o = sigmoid(zo!);
      const cNew = add(mul(f, c), mul(i, g));
      const tc = tanh(cNew);
      const hNew = mul(o, tc) as Tensor2D;
      perStep.splice(t * PER_STEP, PER_STEP, i, f, g, o, tc, c, h);
      if (maskSteps) {
        // m·new + (1-m)·old is exact for m ∈ {0,1}: the state freezes at pads.
        const m = maskSteps[t]!;
        const keep = sub(1, m);
        h = add(mul(m, hNew), mul(keep, h));
        c = add(mul(m, cNew), mul(keep, c));
        outs[t] = sequence ? mul(m, hNew) : hNew;
      } else {
        h = hNew;
        c = cNew as Tensor2D;
        outs[t] = hNew;
      }
    }
    save([xTM, wih!, whh!, ...perStep, ...(maskSteps ?? [])]);
    const value = sequence ? stack(outs, 1) : h;

    const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor[] => {
      const [sx, swih, swhh] = saved as [Tensor2D, Tensor2D, Tensor2D];
      const at = (t: number, k: number) => saved[3 + t * PER_STEP + k]!;
      const stepMask = (t: number) => (maskSteps ? saved[3 + T * PER_STEP + t]! : null);
      const dySteps = sequence
        ? splitSteps(reshape(transpose(dy, [1, 0, 2]), [T, B * H]) as Tensor2D, [B, H])
        : null;
      let dh: Tensor = sequence ? zeros([B, H]) : dy;
      let dc: Tensor = zeros([B, H]);
      const dz: Tensor[] = new Array(T);
      const hPrev: Tensor[] = new Array(T);
      for (let k = T - 1; k >= 0; k--) {
        const t = order[k]!;
        const [i, f, g, o, tc, cPrev, hp] = [0, 1, 2, 3, 4, 5, 6].map((j) => at(t, j)) as Tensor2D[];
        const m = stepMask(t);
        let dhNew = dySteps ? add(dh, dySteps[t]!) : dh;
        let dcNew = dc;
        if (m) {
          dhNew = mul(m, dhNew);
          dcNew = mul(m, dc);
        }
        const dO = mul(dhNew, tc!);
        dcNew = add(dcNew, mul(mul(dhNew, o!), sub(1, square(tc!))));
        const dzi = mul(mul(dcNew, g!), mul(i!, sub(1, i!)));
        const dzf = mul(mul(dcNew, cPrev!), mul(f!, sub(1, f!)));
        const dzg = mul(mul(dcNew, i!), sub(1, square(g!)));
        const dzo = mul(dO, mul(o!, sub(1, o!)));
        const dzt = concat([dzi, dzf, dzg, dzo], 1);
        dz[t] = dzt;
        hPrev[t] = hp!;
        const dhRec = matMul(dzt, swhh);
        const dcRec = mul(dcNew, f!);
        if (m) {
          const keep = sub(1, m);
          dh = add(dhRec, mul(keep, dh));
          dc = add(dcRec, mul(keep, dc));
        } else {
          dh = dhRec;
          dc = dcRec;
        }
      }
      const dZ = concat(dz, 0) as Tensor2D; // [T·B, 4H], rows in the same time-major order as sx
      const dZT = transpose(dZ);
      const dWih = matMul(dZT, sx);
      const dWhh = matMul(dZT, concat(hPrev, 0) as Tensor2D);
      const dB = sum(dZ, 0) as Tensor1D;
      const dX = transpose(reshape(matMul(dZ, swih), [T, B, E]), [1, 0, 2]);
      // A separate tensor per bias: callers may dispose one gradient and still use the other.
      return [dX, dWih, dWhh, dB, clone(dB)];
    };
    return { value, gradFunc };
  });
  return op(x, w.wih, w.whh, w.bih, w.bhh);
}
