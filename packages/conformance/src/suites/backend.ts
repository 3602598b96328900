import { fusedAdam, initBackend, tensorLeakCheck } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { assert, assertClose, assertEqual, defineSuite } from '../harness.js';

const WASM_TOL = 1e-4;

/** A tensor from the golden JSON encoding `{shape, data}`. */
const t = (x: { shape: number[]; data: unknown }, dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(x.data as number[], x.shape, dtype);

function randomArray(rng: Rng, n: number): Float32Array {
  return rng.fillUniform(new Float32Array(n), -1, 1);
}

/** The tutorial Siamese LSTM (PyTorch layout, gate order i,f,g,o, sigmoid), written with plain tfjs ops. */
function encodeLstm(w: Record<string, tf.Variable>, ids: tf.Tensor2D, lengths: number[] | null): tf.Tensor2D {
  const [B, T] = ids.shape;
  const H = w.weight_hh_l0!.shape[1]!;
  const x = tf.gather(w['embedding.weight']!, ids); // [B,T,E]
  const wihT = tf.transpose(w.weight_ih_l0!);
  const whhT = tf.transpose(w.weight_hh_l0!);
  const bias = tf.add(w.bias_ih_l0!, w.bias_hh_l0!);
  let h: tf.Tensor2D = tf.zeros([B, H]);
  let c: tf.Tensor2D = tf.zeros([B, H]);
  for (let step = 0; step < T; step++) {
    const xt = tf.reshape(tf.slice(x, [0, step, 0], [B, 1, -1]), [B, -1]) as tf.Tensor2D;
    const z = tf.add(tf.add(tf.matMul(xt, wihT), tf.matMul(h, whhT)), bias);
    const [zi, zf, zg, zo] = tf.split(z, 4, 1);
    const c2 = tf.add(tf.mul(tf.sigmoid(zf!), c), tf.mul(tf.sigmoid(zi!), tf.tanh(zg!))) as tf.Tensor2D;
    const h2 = tf.mul(tf.sigmoid(zo!), tf.tanh(c2)) as tf.Tensor2D;
    if (lengths) {
      const m = tf.tensor2d(
        lengths.map((L) => (step < L ? 1 : 0)),
        [B, 1],
      );
      h = tf.add(tf.mul(m, h2), tf.mul(tf.sub(1, m), h)) as tf.Tensor2D;
      c = tf.add(tf.mul(m, c2), tf.mul(tf.sub(1, m), c)) as tf.Tensor2D;
    } else {
      h = h2;
      c = c2;
    }
  }
  return h;
}

function cosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  const dot = tf.sum(tf.mul(a, b), 1);
  const norms = tf.mul(tf.norm(a, 'euclidean', 1), tf.norm(b, 'euclidean', 1));
  return tf.div(dot, tf.maximum(norms, 1e-8)) as tf.Tensor1D;
}

export default defineSuite('backend', (test) => {
  test('initBackend() makes WASM the active backend (no silent cpu fallback)', async () => {
    const info = await initBackend();
    assertEqual(tf.getBackend(), 'wasm', 'tf.getBackend()');
    // The SIMD kernels module (inlined bytes, or an imported module on Workers) shares the tfjs heap.
    assertEqual(info.simdKernels, true, 'SIMD kernels module attached');
    assertEqual(info.name, 'wasm', 'info.name');
    assert(info.kernelsAdded.includes('UnsortedSegmentSum'), 'UnsortedSegmentSum registered');
    assert(info.kernelsAdded.includes('Conv2DBackpropFilter'), 'Conv2DBackpropFilter registered');
    const again = await initBackend();
    assertEqual(again.initMs, 0, 'second initBackend() is a no-op');
  });

  test('fusedAdam matches PyTorch (adam.json): ε 1e-8 and the default ε, params, m and v per step', async (ctx) => {
    assertEqual(tf.getBackend(), 'wasm', 'backend');
    const g = await ctx.golden('adam');
    const { lr, betas, eps } = g.hyperparameters;
    for (const [label, steps, epsilon] of [
      ['ε 1e-8', g.steps, eps],
      ['default ε', g.steps_tfjs_default_eps, undefined],
    ] as const) {
      const opt = fusedAdam(lr, betas[0], betas[1], epsilon);
      const p = tf.variable(t(g.params_before), true, `adam-golden-${label}`);
      for (const [k, step] of (steps as any[]).entries()) {
        const grad = t(step.grad);
        opt.applyGradients({ [p.name]: grad } as tf.NamedTensorMap as never);
        grad.dispose();
        const [iter, m, v] = await opt.getWeights();
        assertClose(p.dataSync(), step.params_after.data, WASM_TOL, `${label} step ${k + 1} params`);
        assertClose(m!.tensor.dataSync(), step.exp_avg.data, WASM_TOL, `${label} step ${k + 1} m`);
        assertClose(v!.tensor.dataSync(), step.exp_avg_sq.data, WASM_TOL, `${label} step ${k + 1} v`);
        ctx.same(`${label} step ${k + 1}`, [p.dataSync(), m!.tensor.dataSync(), v!.tensor.dataSync()]);
        iter!.tensor.dispose();
      }
      p.dispose();
      opt.dispose();
    }
  });

  test('UnsortedSegmentSum matches a reference on random shapes', (ctx) => {
    const rng = new Rng(11);
    for (const [n, d, v] of [
      [1, 1, 1],
      [7, 3, 5],
      [64, 16, 20],
      [300, 9, 1000],
    ] as const) {
      const x = randomArray(rng, n * d);
      const ids = Int32Array.from({ length: n }, () => rng.int(v));
      const expected = new Float32Array(v * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) expected[ids[i]! * d + j]! += x[i * d + j]!;
      const got = tf.tidy(() =>
        tf.unsortedSegmentSum(tf.tensor2d(x, [n, d]), tf.tensor1d(ids, 'int32'), v).dataSync(),
      );
      assertClose(got, expected, 1e-5, `segment sum n=${n} d=${d} v=${v}`);
      ctx.same(`segment sum n=${n} d=${d} v=${v}`, got);
    }
  });

  test('gather gradient (embedding training) runs on WASM and sums repeated ids', () => {
    const table = tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]));
    const g = tf.tidy(() =>
      tf.grad((e: tf.Tensor) => tf.sum(tf.gather(e, tf.tensor1d([2, 0, 2], 'int32'))))(table),
    );
    assertClose(g.dataSync(), [1, 1, 0, 0, 2, 2], 0, 'd sum(gather) / d table');
    g.dispose();
    table.dispose();
  });

  test('Conv2DBackpropFilter (conv1d training) matches a reference on random shapes', (ctx) => {
    const rng = new Rng(12);
    for (const [B, T, C, K, F, pad, stride] of [
      [1, 5, 2, 3, 4, 'same', 1],
      [3, 7, 8, 3, 6, 'same', 1],
      [2, 9, 4, 2, 5, 'valid', 1],
      [2, 11, 3, 3, 2, 'valid', 2],
    ] as const) {
      const x = randomArray(rng, B * T * C);
      const w = randomArray(rng, K * C * F);
      const got = tf.tidy(() => {
        const xt = tf.tensor3d(x, [B, T, C]);
        const dW = tf.grad((filter: tf.Tensor) =>
          tf.sum(tf.square(tf.conv1d(xt, filter as tf.Tensor3D, stride, pad))),
        )(tf.tensor3d(w, [K, C, F]));
        return dW.dataSync();
      });
      // Reference: y = conv1d(x, w); dL/dy = 2y; dW[k,c,f] = Σ_b,o 2·y[b,o,f]·x[b, o·s - padL + k, c].
      const outT = pad === 'same' ? Math.ceil(T / stride) : Math.ceil((T - K + 1) / stride);
      const padTotal = pad === 'same' ? Math.max((outT - 1) * stride + K - T, 0) : 0;
      const padL = Math.floor(padTotal / 2);
      const y = new Float64Array(B * outT * F);
      const xi = (b: number, p: number, c: number) => (p < 0 || p >= T ? 0 : x[(b * T + p) * C + c]!);
      for (let b = 0; b < B; b++)
        for (let o = 0; o < outT; o++)
          for (let f = 0; f < F; f++) {
            let s = 0;
            for (let k = 0; k < K; k++)
              for (let c = 0; c < C; c++) s += xi(b, o * stride - padL + k, c) * w[(k * C + c) * F + f]!;
            y[(b * outT + o) * F + f] = s;
          }
      const expected = new Float64Array(K * C * F);
      for (let k = 0; k < K; k++)
        for (let c = 0; c < C; c++)
          for (let f = 0; f < F; f++) {
            let s = 0;
            for (let b = 0; b < B; b++)
              for (let o = 0; o < outT; o++)
                s += 2 * y[(b * outT + o) * F + f]! * xi(b, o * stride - padL + k, c);
            expected[(k * C + c) * F + f] = s;
          }
      assertClose(got, expected, 1e-4, `conv1d dW B=${B} T=${T} C=${C} K=${K} F=${F} ${pad} s=${stride}`);
      ctx.same(`conv1d dW B=${B} T=${T} C=${C} K=${K} F=${F} ${pad} s=${stride}`, got);
    }
  });

  for (const mode of ['unpacked', 'packed'] as const) {
    test(`Siamese LSTM in plain tfjs ops (${mode}): forward, backward and one Adam step match PyTorch to 1e-4`, async (ctx) => {
      assertEqual(tf.getBackend(), 'wasm', 'backend');
      const g = await ctx.golden('siamese_lstm_step');
      const ref = g[mode];
      const vars: Record<string, tf.Variable> = {};
      for (const [k, v] of Object.entries(g.weights))
        vars[k] = tf.variable(t(v as any), true, `${mode}/${k}`);
      const idsA = t(g.inputs.token_ids_a, 'int32') as tf.Tensor2D;
      const idsB = t(g.inputs.token_ids_b, 'int32') as tf.Tensor2D;
      const labels = t(g.inputs.labels) as tf.Tensor1D;
      const lenA = mode === 'packed' ? (g.inputs.lengths_a as number[]) : null;
      const lenB = mode === 'packed' ? (g.inputs.lengths_b as number[]) : null;
      const forward = () => {
        const a = encodeLstm(vars, idsA, lenA);
        const b = encodeLstm(vars, idsB, lenB);
        const cos = cosine(a, b);
        return { a, b, cos, loss: tf.mean(tf.square(tf.sub(cos, labels))) as tf.Scalar };
      };
      tf.tidy(() => {
        const out = forward();
        assertClose(out.a.dataSync(), ref.encoded_a.data, WASM_TOL, 'encoded_a');
        assertClose(out.b.dataSync(), ref.encoded_b.data, WASM_TOL, 'encoded_b');
        assertClose(out.cos.dataSync(), ref.cos.data, WASM_TOL, 'cos');
        assertClose(out.loss.dataSync(), ref.loss.data, WASM_TOL, 'loss');
      });
      const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
      const step = () => {
        const { value, grads } = tf.variableGrads(() => tf.tidy(() => forward().loss), Object.values(vars));
        return { value, grads };
      };
      const { value, grads } = step();
      for (const [k, v] of Object.entries(vars)) {
        assertClose(grads[v.name]!.dataSync(), ref.grads[k].data, WASM_TOL, `grad ${k}`);
      }
      optimizer.applyGradients(grads as never);
      for (const [k, v] of Object.entries(vars)) {
        assertClose(v.dataSync(), ref.weights_after_adam_step[k].data, WASM_TOL, `after Adam ${k}`);
        ctx.same(`after Adam ${k}`, v.dataSync());
      }
      value.dispose();
      tf.dispose(Object.values(grads));
      // Repeated training steps must not leak tensors.
      await tensorLeakCheck(
        () => {
          const s = step();
          optimizer.applyGradients(s.grads as never);
          s.value.dispose();
          tf.dispose(Object.values(s.grads));
        },
        { label: `${mode} training step`, iterations: 3 },
      );
      optimizer.dispose();
      tf.dispose([idsA, idsB, labels, ...Object.values(vars)]);
      assertEqual(tf.getBackend(), 'wasm', 'still on wasm after training');
    });
  }
});
