import { initBackend, tensorLeakCheck } from '@siamese/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossFromConfig } from '../src/index.js';
import { flat, GOLDEN_LOSSES, GOLDEN_REUSED, goldenBatch, readGolden } from './golden.js';

const TOL = { cpu: 1e-5, wasm: 1e-4 } as const;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const cases = [...Object.entries(GOLDEN_LOSSES), ...GOLDEN_REUSED].flatMap(([file, config]) =>
  readGolden(file).cases.map((c, i) => ({ file, index: i, config, c })),
);

describe.each(['cpu', 'wasm'] as const)('golden losses on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
  });

  it('covers every golden loss file', () => {
    expect(cases.length).toBe(9 + 4 * 4 + 2 + 2 * 2);
  });

  it.each(cases)('$file case $index: value and gradients', async ({ config, c }) => {
    expect(tf.getBackend()).toBe(backend);
    const loss = lossFromConfig(config);
    const batch = goldenBatch(c, loss.batchKind === 'scored-pairs');
    const xs = batch.names.map((n) => tf.tensor(flat(c.inputs[n]!.data), c.inputs[n]!.shape, 'float32'));
    const f = (...e: tf.Tensor[]) => loss.compute(batch.build(e));
    const { value, grads } = tf.tidy(() => {
      const v = f(...xs);
      return {
        value: v.dataSync()[0]!,
        grads: tf
          .grads(f)(xs)
          .map((g) => g.dataSync()),
      };
    });
    expect(Math.abs(value - (c.loss.data as number))).toBeLessThanOrEqual(TOL[backend]);
    batch.names.forEach((n, i) => {
      expect(maxAbsDiff(grads[i]!, flat(c.grads[n]!.data)), `grad ${n}`).toBeLessThanOrEqual(TOL[backend]);
    });
    await tensorLeakCheck(
      () => {
        tf.dispose(f(...xs));
        tf.dispose(tf.grads(f)(xs));
        const vg = tf.valueAndGrads(f)(xs);
        tf.dispose([vg.value, ...vg.grads]);
      },
      { label: `${config.type} compute + gradient`, iterations: 2 },
    );
    tf.dispose(xs);
    batch.dispose();
  });
});
