// SoftmaxLoss: the PyTorch golden (scripts/golden/losses.py, loss_softmax.json) for the value and the gradients
// of the embeddings and of the head it owns, on cpu (1e-5) and WASM (1e-4); its seeded head; its errors.
import { initBackend, tensorLeakCheck } from '@siamese/backend';
import type { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type LossConfig, lossFromConfig, MatryoshkaLoss, SoftmaxLoss } from '../src/index.js';
import { runLossContract } from '../src/testing.js';
import { flat, type GoldenTensor, readGolden } from './golden.js';

const TOL = { cpu: 1e-5, wasm: 1e-4 } as const;

interface Case {
  inputs: Record<'u' | 'v' | 'labels' | 'weight' | 'bias', GoldenTensor>;
  loss: GoldenTensor;
  grads: Record<'u' | 'v' | 'weight' | 'bias', GoldenTensor>;
  options?: Record<string, unknown>;
}
const golden = readGolden('loss_softmax') as unknown as { config: LossConfig; cases: Case[] };
const tensor = (t: GoldenTensor, dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(flat(t.data), t.shape, dtype);

function thrown(fn: () => unknown): SiameseError {
  try {
    fn();
  } catch (e) {
    return e as SiameseError;
  }
  throw new Error('expected a throw');
}

describe.each(['cpu', 'wasm'] as const)('softmax on %s', (backend) => {
  it.each(golden.cases.map((c, i) => ({ c, i })))(
    'golden case $i: value, embedding and head gradients',
    async ({ c }) => {
      await initBackend({ backend });
      expect(tf.getBackend()).toBe(backend);
      const loss = lossFromConfig({ ...golden.config, ...c.options }) as SoftmaxLoss;
      const u = tf.variable(tensor(c.inputs.u));
      const v = tf.variable(tensor(c.inputs.v));
      const labels = tensor(c.inputs.labels, 'int32') as tf.Tensor1D;
      const [weight, bias] = loss.variables(u.shape[1]!);
      weight!.assign(tensor(c.inputs.weight));
      bias!.assign(tensor(c.inputs.bias));
      const f = () => loss.compute({ a: u as tf.Tensor2D, b: v as tf.Tensor2D, labels });
      const { value, grads } = tf.variableGrads(f, [u, v, weight!, bias!]);
      expect(Math.abs(value.dataSync()[0]! - (c.loss.data as number))).toBeLessThanOrEqual(TOL[backend]);
      const names = { u, v, weight: weight!, bias: bias! };
      for (const [name, variable] of Object.entries(names)) {
        const got = grads[variable.name]!.dataSync();
        const want = flat(c.grads[name as keyof typeof names].data);
        expect(got.length).toBe(want.length);
        const worst = Math.max(...want.map((w, j) => Math.abs(w - got[j]!)));
        expect(worst, `gradient of ${name}`).toBeLessThanOrEqual(TOL[backend]);
      }
      tf.dispose([value, ...Object.values(grads)]);
      await tensorLeakCheck(
        () => {
          const vg = tf.variableGrads(f, [u, v, weight!, bias!]);
          tf.dispose([vg.value, ...Object.values(vg.grads)]);
        },
        { label: 'softmax value and gradients', iterations: 2 },
      );
      loss.dispose();
      expect(weight!.isDisposed).toBe(true);
      tf.dispose([u, v, labels]);
    },
  );
});

describe('softmax: head, config and errors', () => {
  it('passes the contract kit', async () => {
    await initBackend({ backend: 'cpu' });
    const loss = new SoftmaxLoss();
    expect(runLossContract({ newLoss: () => loss }).checks).toContain('non-zero gradients');
    loss.dispose();
  });

  it('seeds the head as nn.Linear (uniform ±1/√features): same seed, same head; another seed, another', async () => {
    await initBackend({ backend: 'cpu' });
    const values = (loss: SoftmaxLoss, dim: number) =>
      loss.variables(dim).map((x) => Array.from(x.dataSync()));
    const a = new SoftmaxLoss({ seed: 7 });
    const b = new SoftmaxLoss({ seed: 7 });
    const c = new SoftmaxLoss({ seed: 8 });
    expect(values(a, 5)).toEqual(values(b, 5));
    expect(values(a, 5)).not.toEqual(values(c, 5));
    const [w, bias] = a.variables(5);
    expect(w!.shape).toEqual([3, 15]); // [u, v, |u − v|] × 5
    expect(bias!.shape).toEqual([3]);
    const all = values(a, 5).flat();
    const bound = 1 / Math.sqrt(15);
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(bound / 2);
    expect(a.variables(5)[0]).toBe(w); // the same variables on every call
    expect(thrown(() => a.variables(6)).code).toBe('E_LOSS_BATCH');
    expect(thrown(() => a.variables(6)).message).toMatch(/made for embeddings of width 5, found width 6/);
    for (const l of [a, b, c]) l.dispose();
  });

  it('predict gives class probabilities that follow the training', async () => {
    await initBackend({ backend: 'cpu' });
    const loss = new SoftmaxLoss({ numLabels: 2, seed: 1 });
    const a = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0.5],
    ]);
    const b = tf.tensor2d([
      [1, 0],
      [1, 0],
      [1, 1],
      [0.5, 0],
    ]);
    const labels = tf.tensor1d([1, 0, 1, 0], 'int32');
    const optimizer = tf.train.adam(0.1);
    for (let i = 0; i < 50; i++)
      optimizer.minimize(() => loss.compute({ a, b, labels }), false, loss.variables(2));
    const p = loss.predict(a, b);
    expect(p.shape).toEqual([4, 2]);
    const probs = p.arraySync();
    expect(probs.map((r) => (r[1]! > r[0]! ? 1 : 0))).toEqual([1, 0, 1, 0]);
    tf.dispose([a, b, labels, p]);
    optimizer.dispose();
    loss.dispose();
  });

  it('config round trip; bad options are E_LOSS_CONFIG; out-of-range labels are E_LOSS_BATCH', async () => {
    await initBackend({ backend: 'cpu' });
    const loss = lossFromConfig({ type: 'softmax' });
    expect(loss.getConfig()).toEqual({
      type: 'softmax',
      numLabels: 3,
      concatenationSentRep: true,
      concatenationSentDifference: true,
      concatenationSentMultiplication: false,
      seed: 42,
    });
    expect(loss.batchKind).toBe('class-pairs');
    expect(loss.similarity).toBeUndefined();
    expect(lossFromConfig(loss.getConfig()).getConfig()).toEqual(loss.getConfig());
    for (const bad of [{ numLabels: 1 }, { numLabels: 2.5 }, { seed: -1 }, { concatenationSentRep: 'yes' }]) {
      expect(thrown(() => lossFromConfig({ type: 'softmax', ...bad })).code).toBe('E_LOSS_CONFIG');
    }
    const off = thrown(() =>
      lossFromConfig({ type: 'softmax', concatenationSentRep: false, concatenationSentDifference: false }),
    );
    expect(off.code).toBe('E_LOSS_CONFIG');
    expect(off.message).toMatch(/every feature is off/);
    const a = tf.ones([3, 4]) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 3, 1], 'int32');
    const error = thrown(() => loss.compute({ a, b: a, labels }));
    expect(error.code).toBe('E_LOSS_BATCH');
    expect(error.message).toMatch(/class ids 0 … 2 \(numLabels 3\), found 3 at row 1/);
    expect(thrown(() => new MatryoshkaLoss({ loss, dims: [2] })).code).toBe('E_LOSS_CONFIG');
    tf.dispose([a, labels]);
    (loss as SoftmaxLoss).dispose();
  });
});
