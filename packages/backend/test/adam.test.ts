import { readFileSync } from 'node:fs';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { FusedAdamOptimizer, fusedAdam, initBackend, tensorLeakCheck } from '../dist/index.js';
import { ADAM_BETA_POWERS } from '../dist/internals.js';

/** PyTorch's `torch.optim.Adam` on a 6-vector, 3 steps (fixtures/golden/adam.json, see its README). */
const golden = JSON.parse(
  readFileSync(new URL('../../../fixtures/golden/adam.json', import.meta.url), 'utf8'),
);
type Step = Record<'grad' | 'params_after' | 'exp_avg' | 'exp_avg_sq', { data: number[] }>;

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = d;
  }
  return worst;
};

/** Runs the golden's gradients through `opt`; returns params, m and v after each step. */
async function run(opt: tf.Optimizer, steps: Step[]) {
  const p = tf.variable(tf.tensor1d(golden.params_before.data), true, `adam-golden-${Math.random()}`);
  const out: { params: Float32Array; m: Float32Array; v: Float32Array }[] = [];
  for (const s of steps) {
    const g = tf.tensor1d(s.grad.data);
    opt.applyGradients({ [p.name]: g });
    g.dispose();
    const w = await opt.getWeights();
    // getWeights(): [iterations, m…, v…]
    out.push({
      params: p.dataSync() as Float32Array,
      m: w[1]!.tensor.dataSync() as Float32Array,
      v: w[2]!.tensor.dataSync() as Float32Array,
    });
    w[0]!.tensor.dispose();
  }
  p.dispose();
  opt.dispose();
  return out;
}

const CASES = [
  { name: 'cpu', init: { backend: 'cpu' as const }, tol: 1e-5 },
  { name: 'wasm + SIMD kernels', init: {}, tol: 1e-4 },
  { name: 'wasm, plain-JS kernels', init: { simdKernels: false as const }, tol: 1e-4 },
];

describe.each(CASES)('fusedAdam against PyTorch (adam.json) on $name', ({ init, tol }) => {
  it('ε = 1e-8 (PyTorch): params, m and v after each of the 3 steps', async () => {
    const info = await initBackend(init);
    expect(tf.getBackend()).toBe(init.backend ?? 'wasm');
    if (info.name === 'wasm') expect(info.simdKernels).toBe(init.simdKernels !== false);
    const { lr, betas, eps } = golden.hyperparameters;
    const opt = fusedAdam(lr, betas[0], betas[1], eps);
    expect(opt).toBeInstanceOf(FusedAdamOptimizer);
    const got = await run(opt, golden.steps);
    golden.steps.forEach((s: Step, k: number) => {
      expect(maxDiff(got[k]!.params, s.params_after.data), `step ${k + 1} params`).toBeLessThan(tol);
      expect(maxDiff(got[k]!.m, s.exp_avg.data), `step ${k + 1} m`).toBeLessThan(tol);
      expect(maxDiff(got[k]!.v, s.exp_avg_sq.data), `step ${k + 1} v`).toBeLessThan(tol);
    });
    // Element 3 has gradient 0 for two steps: it must not move.
    expect(got[1]!.params[3]).toBe(0);
  });

  it('the default ε (the backend’s 1e-7, as tf.train.adam): steps_tfjs_default_eps', async () => {
    await initBackend(init);
    const { lr, betas } = golden.hyperparameters;
    const got = await run(fusedAdam(lr, betas[0], betas[1]), golden.steps_tfjs_default_eps);
    golden.steps_tfjs_default_eps.forEach((s: Step, k: number) => {
      expect(maxDiff(got[k]!.params, s.params_after.data), `step ${k + 1} params`).toBeLessThan(tol);
    });
  });
});

describe('the ε golden can tell ε apart', () => {
  it('element 2 (gradient 1e-7) lands 4.1e-4 apart under ε 1e-8 and 1e-7: 4× the wasm tolerance', () => {
    const a = golden.steps.at(-1).params_after.data[2];
    const b = golden.steps_tfjs_default_eps.at(-1).params_after.data[2];
    // So an Adam that ignored its ε (or used 1e-7) fails the ε = 1e-8 case above, on wasm too.
    expect(Math.abs(a - b)).toBeGreaterThan(4 * 1e-4);
  });
});

describe('fusedAdam β-powers (exact resume)', () => {
  /** `steps` Adam steps on a small least-squares problem; optionally resumes from saved optimizer state. */
  async function train(
    steps: number,
    from?: { weights: Float32Array; state: { name: string; shape: number[]; values: Float32Array }[] },
    betaPowers = true,
  ) {
    const rng = new Rng(5);
    const x = tf.tensor2d(rng.fillUniform(new Float32Array(16 * 8), -1, 1), [16, 8]);
    const y = tf.tensor2d(rng.fillUniform(new Float32Array(16 * 3), -1, 1), [16, 3]);
    const w = tf.variable(
      from
        ? tf.tensor2d(from.weights, [8, 3])
        : tf.tensor2d(rng.fillUniform(new Float32Array(24), -1, 1), [8, 3]),
    );
    const opt = fusedAdam(1e-2, 0.9, 0.999, 1e-8);
    if (from) {
      const tensors = from.state.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape) }));
      await opt.setWeights(betaPowers ? tensors : tensors.filter((t) => !t.name.endsWith('_power')));
      tf.dispose(tensors.map((t) => t.tensor));
    }
    for (let i = 0; i < steps; i++) {
      opt.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(x, w), y))) as tf.Scalar, false, [w]);
    }
    const saved = await opt.getWeights({ betaPowers: true });
    const state = saved.map((s) => ({ name: s.name, shape: s.tensor.shape, values: s.tensor.dataSync() }));
    saved[0]!.tensor.dispose(); // the iterations scalar is made fresh by getWeights
    const weights = w.dataSync() as Float32Array;
    tf.dispose([x, y, w]);
    opt.dispose();
    return { weights, state: state as { name: string; shape: number[]; values: Float32Array }[] };
  }

  it('getWeights({ betaPowers }) holds β^(t+1) as the float32 products the steps accumulated', async () => {
    await initBackend();
    const { state } = await train(21);
    expect(state.map((s) => s.name).slice(-2)).toEqual([...ADAM_BETA_POWERS]);
    let b1 = Math.fround(0.9);
    let b2 = Math.fround(0.999);
    for (let i = 0; i < 21; i++) {
      b1 = Math.fround(b1 * Math.fround(0.9));
      b2 = Math.fround(b2 * Math.fround(0.999));
    }
    expect(state.at(-2)!.values[0]).toBe(b1);
    expect(state.at(-1)!.values[0]).toBe(b2);
    // What tfjs' setWeights would put back instead: pow(0.999, 22), not the same float32.
    expect(Math.fround(0.999 ** 22)).not.toBe(b2);
  });

  it('a run saved after 25 steps and resumed lands on the bits of an uninterrupted 50-step run', async () => {
    await initBackend();
    const full = await train(50);
    const half = await train(25);
    const resumed = await train(25, half);
    expect(Array.from(resumed.weights)).toEqual(Array.from(full.weights));
    // The test bites: tfjs' own restore (β-powers recomputed with pow) drifts.
    const drifted = await train(25, half, false);
    expect(Array.from(drifted.weights)).not.toEqual(Array.from(full.weights));
  });

  it('setWeights refuses malformed β-powers with E_INVALID_ARGUMENT, and getWeights does not leak', async () => {
    await initBackend();
    const opt = fusedAdam(1e-3);
    const bad = [
      { name: 'iter', tensor: tf.scalar(3, 'int32') },
      { name: 'beta1_power', tensor: tf.tensor1d([0.5, 0.5]) },
    ];
    await expect(opt.setWeights(bad)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    tf.dispose(bad.map((b) => b.tensor));
    await tensorLeakCheck(async () => {
      const ws = await opt.getWeights({ betaPowers: true });
      ws[0]!.tensor.dispose();
    });
    opt.dispose();
  });

  it('setWeights frees the moments it replaces (restoring state again and again does not leak)', async () => {
    await initBackend();
    const x = tf.variable(tf.tensor1d([1, 2, 3]));
    const opt = fusedAdam(1e-2);
    opt.applyGradients({ [x.name]: tf.tensor1d([0.1, -0.2, 0.3]) } as never);
    // Copies, as a checkpoint holds them (getWeights returns the moment variables themselves).
    const held = await opt.getWeights({ betaPowers: true });
    const saved = held.map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    held[0]!.tensor.dispose(); // the iterations scalar is made fresh by getWeights
    const restore = async () => opt.setWeights(saved.map((w) => ({ name: w.name, tensor: w.tensor })));
    await restore();
    const tensors = tf.memory().numTensors;
    await restore();
    await restore();
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await opt.getWeights({ betaPowers: true });
    expect(Array.from(after[1]!.tensor.dataSync())).toEqual(Array.from(saved[1]!.tensor.dataSync()));
    opt.dispose();
    tf.dispose([x, ...saved.map((w) => w.tensor), after[0]!.tensor]);
  });
});
