// Per-kernel time profile of one preset's training step and inference batch (bench config), on wasm.
// Usage: node apps/bench/scripts/profile.mjs <lstm|bilstm|cnn|meanpool> [train|infer] [steps]
import { fusedAdam, initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { referenceEncoder } from './reference-encoder.mjs';

const [name = 'cnn', mode = 'train', stepsArg = '10'] = process.argv.slice(2);
await initBackend();
const V = 20000,
  D = 128,
  P = 64,
  T = 20,
  IB = 256;
const enc = referenceEncoder(name, V, D);
const rng = new Rng(7);
function batch(n) {
  const ids = new Int32Array(n * T),
    mask = new Float32Array(n * T),
    lengths = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const len = 5 + ((b * 7) % (T - 4));
    lengths[b] = len;
    for (let t = 0; t < len; t++) {
      ids[b * T + t] = 1 + rng.int(V - 1);
      mask[b * T + t] = 1;
    }
  }
  return { ids: tf.tensor2d(ids, [n, T], 'int32'), mask: tf.tensor2d(mask, [n, T]), lengths };
}
// Both sides in one encode call, as fit() and the encoders bench do.
const both = batch(2 * P),
  inf = batch(IB);
const labels = tf.tensor1d(Array.from({ length: P }, (_, i) => (i % 5) / 4));
const opt = process.env.OPT === 'tf' ? tf.train.adam(1e-3, 0.9, 0.999, 1e-8) : fusedAdam(1e-3);
const vars = enc.trainableVariables();
const cos = (u, v) =>
  tf.mean(
    tf.square(
      tf.sub(
        tf.div(
          tf.sum(tf.mul(u, v), 1),
          tf.maximum(tf.mul(tf.norm(u, 'euclidean', 1), tf.norm(v, 'euclidean', 1)), 1e-8),
        ),
        labels,
      ),
    ),
  );
const step = () =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const e = enc.encode(both, { training: true });
      return cos(tf.slice(e, [0, 0], [P, -1]), tf.slice(e, [P, 0], [P, -1]));
    }, vars);
    opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    value.dataSync();
  });
const infer = () => {
  const o = tf.tidy(() => enc.encode(inf));
  o.dataSync();
  o.dispose();
};
const fn = mode === 'train' ? step : infer;
for (let i = 0; i < 3; i++) fn();
const times = new Map();
const counts = new Map();
for (const k of tf.getKernelsForBackend('wasm')) {
  const f = k.kernelFunc;
  k.kernelFunc = (args) => {
    const t0 = performance.now();
    const r = f(args);
    const dt = performance.now() - t0;
    times.set(k.kernelName, (times.get(k.kernelName) ?? 0) + dt);
    counts.set(k.kernelName, (counts.get(k.kernelName) ?? 0) + 1);
    return r;
  };
}
const n = Number(stepsArg);
const t0 = performance.now();
for (let i = 0; i < n; i++) fn();
const total = (performance.now() - t0) / n;
let inKernels = 0;
const rows = [...times].map(([k, t]) => [k, t / n, counts.get(k) / n]).sort((x, y) => y[1] - x[1]);
for (const [, t] of rows) inKernels += t;
console.log(
  `${name} ${mode}: ${total.toFixed(2)} ms/iter, in kernels ${inKernels.toFixed(2)} ms, outside ${(total - inKernels).toFixed(2)} ms`,
);
for (const [k, t, c] of rows.slice(0, 25))
  console.log(`  ${k.padEnd(28)} ${t.toFixed(3).padStart(8)} ms  x${c}`);
