import {
  add,
  clone,
  concat,
  customGrad,
  type GradSaveFunc,
  getBackend,
  matMul,
  mul,
  ones,
  reshape,
  sigmoid,
  split,
  square,
  stack,
  sub,
  type Tensor,
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  tensor1d,
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

/** `[1, 1, g, 1]` per gate block of H (g = 2 scales the g-gate pre-activations). */
function gateScale(H: number, g = 2): Tensor1D {
  const v = new Float32Array(4 * H).fill(1);
  v.fill(g, 2 * H, 3 * H);
  return tensor1d(v);
}

/** tanh(x) = 2·sigmoid(2x) - 1: four fast kernels beat the scalar wasm Tanh; absolute error ~1e-7. */
function tanhFast<T extends Tensor>(x: T): T {
  return sub(mul(sigmoid(mul(x, 2)), 2), 1);
}

/** Per-step values the backward pass needs, in `save()` order. */
const PER_STEP = 8; // sigmoid(z') [B,4H], i, f, g, o, tanh(c_t), c_{t-1}, h_{t-1}

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
    // The g-gate columns are scaled by 2 so that ONE sigmoid over [B,4H] yields all four gates:
    // tanh(z) = 2·sigmoid(2z) - 1 (the stock wasm Tanh is a scalar loop, several times slower than Sigmoid).
    const scale = gateScale(H);
    const wihT = mul(transpose(wih!), scale);
    const whhT = mul(transpose(whh!), scale);
    const bias = mul(add(bih!, bhh!), scale);
    const proj = reshape(add(matMul(xTM, wihT), bias), [T, B * 4 * H]) as Tensor2D;
    const projSteps = splitSteps(proj, [B, 4 * H]);
    const maskSteps = mask ? splitSteps(transpose(mask) as Tensor2D, [B, 1]) : null;
    let h: Tensor2D = zeros([B, H]);
    let c: Tensor2D = zeros([B, H]);
    const perStep: Tensor[] = new Array(T * PER_STEP);
    const outs: Tensor[] = new Array(T);
    for (const t of order) {
      const gates = sigmoid(add(projSteps[t]!, matMul(h, whhT)));
      const [i, f, g2, o] = split(gates, 4, 1) as [Tensor2D, Tensor2D, Tensor2D, Tensor2D];
      const g = sub(mul(g2, 2), 1);
      const cNew = add(mul(f, c), mul(i, g));
      const tc = tanhFast(cNew);
      const hNew = mul(o, tc) as Tensor2D;
      perStep.splice(t * PER_STEP, PER_STEP, gates, i, f, g, o, tc, c, h);
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
      const derivScale = gateScale(H, 4);
      let dh: Tensor = sequence ? zeros([B, H]) : dy;
      let dc: Tensor = zeros([B, H]);
      const dz: Tensor[] = new Array(T);
      const hPrev: Tensor[] = new Array(T);
      for (let k = T - 1; k >= 0; k--) {
        const t = order[k]!;
        const [gates, i, f, g, o, tc, cPrev, hp] = Array.from({ length: PER_STEP }, (_, j) => at(t, j));
        const m = stepMask(t);
        let dhNew = dySteps ? add(dh, dySteps[t]!) : dh;
        let dcNew = dc;
        if (m) {
          dhNew = mul(m, dhNew);
          dcNew = mul(m, dc);
        }
        dcNew = add(dcNew, mul(mul(dhNew, o!), sub(1, square(tc!))));
        // All four gates at once on [B,4H]: upstream [dc·g, dc·c_prev, dc·i, dh·tanh(c)] times the sigmoid
        // derivatives s(1-s), where the g block's ×4 turns 4·s(1-s) (s = sigmoid(2z)) into 1 - g².
        const upstream = mul(concat([dcNew, dcNew, dcNew, dhNew], 1), concat([g!, cPrev!, i!, tc!], 1));
        const dzt = mul(upstream, mul(mul(gates!, sub(1, gates!)), derivScale));
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
      // Column sums as a [1,T·B]×[T·B,4H] matmul: wasm's Sum over axis 0 transposes first and is far slower.
      const dB = reshape(matMul(ones([1, T * B]), dZ), [4 * H]) as Tensor1D;
      const dX = transpose(reshape(matMul(dZ, swih), [T, B, E]), [1, 0, 2]);
      // A separate tensor per bias: callers may dispose one gradient and still use the other.
      return [dX, dWih, dWhh, dB, clone(dB)];
    };
    return { value, gradFunc };
  });
  return op(x, w.wih, w.whh, w.bih, w.bhh);
}
