import { Rng, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { fusedAdam, initBackend, tensorLeakCheck } from '../dist/index.js';
import { embeddingBag, lstmFinalState, lstmSequence } from '../dist/internals.js';

/** Largest difference, relative to the magnitude where that exceeds 1. */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  return m;
}

/** Runs `fn` on wasm with the SIMD kernels module (or the plain-JS kernels) and returns plain arrays. */
async function withSimd<T>(simd: boolean, fn: () => T): Promise<T> {
  const info = await initBackend({ simdKernels: simd });
  expect(tf.getBackend()).toBe('wasm');
  expect(info.simdKernels).toBe(simd);
  return fn();
}

afterAll(async () => {
  await initBackend();
});

describe('SIMD kernels module', () => {
  it('is attached by default and can be turned off', async () => {
    expect((await initBackend()).simdKernels).toBe(true);
    expect((await initBackend({ simdKernels: false })).simdKernels).toBe(false);
    expect((await initBackend()).simdKernels).toBe(false);
    expect((await initBackend({ simdKernels: true })).simdKernels).toBe(true);
  });

  it('rejects a broken binary with a typed error', async () => {
    const err = await initBackend({ simdKernels: new Uint8Array([0, 97, 115, 109, 9, 9]) }).catch((e) => e);
    expect(SiameseError.is(err)).toBe(true);
    expect(err.code).toBe('E_BACKEND_INIT');
    expect(err.message).toMatch(/SIMD kernels module failed/);
    // A failed set-up is forgotten: the next plain call sets up the defaults.
    expect((await initBackend()).simdKernels).toBe(true);
  });

  it('tanh is within 2e-7 of Math.tanh on [-20, 20] (absolute) and keeps tiny values relative', async () => {
    const xs = Float32Array.from({ length: 40_001 }, (_, i) => -20 + i * 0.001);
    const ys = await withSimd(true, () => tf.tidy(() => tf.tanh(tf.tensor1d(xs)).dataSync()));
    let worst = 0;
    xs.forEach((x, i) => {
      worst = Math.max(worst, Math.abs(ys[i]! - Math.tanh(x)));
    });
    expect(worst).toBeLessThan(2e-7);
    const tiny = await withSimd(true, () => tf.tidy(() => tf.tanh(tf.tensor1d([1e-6, -3e-5, 0])).dataSync()));
    expect(Array.from(tiny)).toEqual([expect.closeTo(1e-6, 12), expect.closeTo(-3e-5, 11), 0]);
  });

  // Odd sizes exercise the scalar tails (H = 6, D = 7).
  it.each([
    { B: 5, T: 7, H: 6 },
    { B: 9, T: 4, H: 8 },
  ])(
    'lstmSequence forward and gradients equal the plain-JS kernels (B=$B T=$T H=$H)',
    async ({ B, T, H }) => {
      const r = new Rng(B * 100 + H);
      const xp = r.fillUniform(new Float32Array(B * T * 4 * H), -2, 2);
      const u = r.fillUniform(new Float32Array(H * 4 * H), -0.5, 0.5);
      const w = r.fillUniform(new Float32Array(B * T * H), -1, 1);
      const mask = Float32Array.from({ length: B * T }, (_, i) => (i % T < 1 + (((i / T) | 0) % T) ? 1 : 0));
      const run = () =>
        tf.tidy(() => {
          const m = tf.tensor2d(mask, [B, T]);
          const out: Float32Array[] = [];
          for (const reverse of [false, true]) {
            const f = (x: tf.Tensor, v: tf.Tensor) =>
              tf.sum(
                tf.mul(
                  lstmSequence(x as tf.Tensor3D, v as tf.Tensor2D, m, { reverse }),
                  tf.tensor3d(w, [B, T, H]),
                ),
              );
            const { value, grads } = tf.valueAndGrads(f)([
              tf.tensor3d(xp, [B, T, 4 * H]),
              tf.tensor2d(u, [H, 4 * H]),
            ]);
            out.push(value.dataSync() as Float32Array, ...grads.map((g) => g.dataSync() as Float32Array));
          }
          return out;
        });
      const js = await withSimd(false, run);
      const simd = await withSimd(true, run);
      js.forEach((a, i) => {
        expect(maxAbsDiff(a, simd[i]!)).toBeLessThan(2e-5);
      });
    },
  );

  it('lstmSequence reading a projection table by id equals the gathered input, values and gradients', async () => {
    const [V, B, T, H] = [30, 6, 5, 8];
    const r = new Rng(5);
    const table = r.fillUniform(new Float32Array(V * 4 * H), -1, 1);
    const u = r.fillUniform(new Float32Array(H * 4 * H), -0.4, 0.4);
    const ids = Int32Array.from({ length: B * T }, () => r.int(V));
    const mask = Float32Array.from({ length: B * T }, (_, i) => (i % T <= (i / T) % T ? 1 : 0));
    await withSimd(true, () =>
      tf.tidy(() => {
        const [tT, uT, idT, mT] = [
          tf.tensor2d(table, [V, 4 * H]),
          tf.tensor2d(u, [H, 4 * H]),
          tf.tensor2d(ids, [B, T], 'int32'),
          tf.tensor2d(mask, [B, T]),
        ];
        for (const reverse of [false, true]) {
          const byId = (x: tf.Tensor, w: tf.Tensor) =>
            tf.sum(tf.square(lstmSequence(x as tf.Tensor2D, w as tf.Tensor2D, mT, { reverse, ids: idT })));
          const gathered = (x: tf.Tensor, w: tf.Tensor) =>
            tf.sum(
              tf.square(lstmSequence(tf.gather(x, idT) as tf.Tensor3D, w as tf.Tensor2D, mT, { reverse })),
            );
          const a = tf.valueAndGrads(byId)([tT, uT]);
          const b = tf.valueAndGrads(gathered)([tT, uT]);
          expect(maxAbsDiff(a.value.dataSync(), b.value.dataSync())).toBeLessThan(1e-6);
          a.grads.forEach((g, i) => {
            expect(maxAbsDiff(g.dataSync(), b.grads[i]!.dataSync())).toBeLessThan(1e-6);
          });
          // Without a tape (inference) the kernel skips the saved states: same hs.
          const plain = lstmSequence(tf.gather(tT, idT) as unknown as tf.Tensor3D, uT, mT, { reverse });
          const fast = lstmSequence(tT, uT, mT, { reverse, ids: idT });
          expect(maxAbsDiff(plain.dataSync(), fast.dataSync())).toBe(0);
        }
        const bad = tf.tensor2d(
          Int32Array.from(ids, (x, i) => (i === 7 ? V + 3 : x)),
          [B, T],
          'int32',
        );
        expect(() => lstmSequence(tT, uT, tf.onesLike(mT), { ids: bad })).toThrow(
          /id 33 at \[1, 2\] is not in \[0, 29\]/,
        );
      }),
    );
  });

  it.each([true, false])(
    'lstmFinalState equals the last step of lstmSequence (SIMD kernels: %s)',
    async (simd) => {
      const [V, B, T, H] = [20, 5, 6, 8];
      const r = new Rng(9);
      const table = r.fillUniform(new Float32Array(V * 4 * H), -1, 1);
      const u = r.fillUniform(new Float32Array(H * 4 * H), -0.4, 0.4);
      const ids = Int32Array.from({ length: B * T }, () => r.int(V));
      const mask = Float32Array.from({ length: B * T }, (_, i) => (i % T < 1 + ((i / T) | 0) ? 1 : 0));
      await withSimd(simd, async () => {
        const [tT, uT, idT, mT] = [
          tf.tensor2d(table, [V, 4 * H]),
          tf.tensor2d(u, [H, 4 * H]),
          tf.tensor2d(ids, [B, T], 'int32'),
          tf.tensor2d(mask, [B, T]),
        ];
        for (const reverse of [false, true]) {
          const expected = tf.tidy(() => {
            const hs = lstmSequence(tf.gather(tT, idT) as unknown as tf.Tensor3D, uT, mT, { reverse });
            return tf.squeeze(tf.slice(hs, [0, reverse ? 0 : T - 1, 0], [B, 1, H]), [1]).dataSync();
          });
          const byTable = tf.tidy(() => lstmFinalState(tT, uT, mT, { reverse, ids: idT }).dataSync());
          const byXp = tf.tidy(() =>
            lstmFinalState(tf.gather(tT, idT) as unknown as tf.Tensor3D, uT, mT, { reverse }).dataSync(),
          );
          expect(maxAbsDiff(byTable, expected)).toBe(0);
          expect(maxAbsDiff(byXp, expected)).toBe(0);
          // Under a tape it takes the full path and still differentiates.
          const g = tf.tidy(() =>
            tf
              .grad((x: tf.Tensor) =>
                tf.sum(lstmFinalState(x as tf.Tensor2D, uT, mT, { reverse, ids: idT })),
              )(tT)
              .dataSync(),
          );
          expect(g.every(Number.isFinite)).toBe(true);
          expect(g.some((v) => v !== 0)).toBe(true);
        }
        await tensorLeakCheck(() => tf.dispose(lstmFinalState(tT, uT, mT, { ids: idT })), { iterations: 3 });
        tf.dispose([tT, uT, idT, mT]);
      });
    },
  );

  it('embeddingBag, its gradient, the gather gradient and fusedAdam equal the plain-JS kernels', async () => {
    const r = new Rng(77);
    const [V, D, B, T] = [50, 7, 6, 5];
    const table = r.fillNormal(new Float32Array(V * D), 0, 1);
    const ids = Int32Array.from({ length: B * T }, () => r.int(V));
    const weights = Float32Array.from({ length: B * T }, (_, i) => (i % 3 === 2 ? 0 : r.uniform(0, 1)));
    const run = () => {
      const e = tf.variable(tf.tensor2d(table, [V, D]), true, `emb${Math.random()}`);
      const opt = fusedAdam(0.01);
      const out: Float32Array[] = [];
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => {
          const idT = tf.tensor2d(ids, [B, T], 'int32');
          const wT = tf.tensor2d(weights, [B, T]);
          const loss = () =>
            tf.add(
              tf.sum(tf.square(embeddingBag(e, idT, wT))),
              tf.sum(tf.gather(e, tf.reshape(idT, [-1]))),
            ) as tf.Scalar;
          const { value, grads } = tf.variableGrads(loss, [e]);
          out.push(value.dataSync() as Float32Array, grads[e.name]!.dataSync() as Float32Array);
          opt.applyGradients([{ name: e.name, tensor: grads[e.name]! }]);
        });
      }
      out.push(e.dataSync() as Float32Array);
      opt.dispose();
      e.dispose();
      return out;
    };
    const js = await withSimd(false, run);
    const simd = await withSimd(true, run);
    js.forEach((a, i) => {
      expect(maxAbsDiff(a, simd[i]!)).toBeLessThan(1e-5);
    });
  });

  it.each([
    [7, 5],
    [8, 12],
    [128, 512],
    [3, 9, 6],
    [2, 16, 4],
  ])('Transpose of the last two axes equals the stock kernel: shape %j', async (...shape: number[]) => {
    const r = new Rng(shape.reduce((a, b) => a * 31 + b, 1));
    const n = shape.reduce((a, b) => a * b, 1);
    const values = r.fillUniform(new Float32Array(n), -5, 5);
    const ints = Int32Array.from(values, (v) => Math.round(v * 1000));
    const perm = shape.length === 2 ? [1, 0] : [0, 2, 1];
    const run = () =>
      tf.tidy(() => [
        tf.transpose(tf.tensor(values, shape), perm).dataSync(),
        tf.transpose(tf.tensor(ints, shape, 'int32'), perm).dataSync(),
      ]);
    const js = await withSimd(false, run);
    const simd = await withSimd(true, run);
    expect(Array.from(simd[0]!)).toEqual(Array.from(js[0]!));
    expect(Array.from(simd[1]!)).toEqual(Array.from(js[1]!));
  });

  it.each([
    { shape: [6, 7, 9], axis: 1, keepDims: false },
    { shape: [4, 5, 3, 8], axis: [1, 2], keepDims: true },
    { shape: [33, 16], axis: 0, keepDims: false },
    { shape: [5, 11], axis: 1, keepDims: false },
  ])('Max and Sum over $axis of $shape equal the stock kernels', async ({ shape, axis, keepDims }) => {
    const r = new Rng(shape.length * 100 + shape[0]!);
    const n = shape.reduce((a, b) => a * b, 1);
    const values = r.fillUniform(new Float32Array(n), -3, 3);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(values, shape);
        return [tf.max(x, axis, keepDims), tf.sum(x, axis, keepDims)].map((t) => ({
          shape: t.shape,
          values: Array.from(t.dataSync()),
        }));
      });
    const js = await withSimd(false, run);
    const simd = await withSimd(true, run);
    expect(simd[0]).toEqual(js[0]);
    expect(simd[1]!.shape).toEqual(js[1]!.shape);
    expect(maxAbsDiff(simd[1]!.values, js[1]!.values)).toBeLessThan(1e-5);
  });

  it('embeddingBag still names an out-of-range id', async () => {
    await withSimd(true, () => {
      const f = () =>
        tf.tidy(() =>
          embeddingBag(tf.zeros([4, 3]), tf.tensor2d([[1, 9]], [1, 2], 'int32'), tf.ones([1, 2])),
        );
      expect(f).toThrow(/id 9 is not in \[0, 3\]/);
    });
  });
});
