import { fusedAdam, initBackend } from '@siamese/backend';
import { embeddingBag, lstmSequence } from '@siamese/backend/internals';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { round, timeIt } from '../measure.js';
import type { BenchRow, BenchSuite } from '../types.js';

interface Case {
  kernel: string;
  shape: string;
  /** Runs the kernel (through the engine) and returns what to dispose. */
  run(): tf.Tensor | tf.Tensor[];
  /** What the stock column runs instead of `run` (for SDK ops that replace several tfjs kernels). */
  stockRun?(): tf.Tensor | tf.Tensor[];
}

/**
 * Stock tfjs-backend-wasm kernels against the SDK's performance overrides, on the shapes a 64-pair × T=20
 * training step with D=H=128 produces. Both variants run in the same process: `initBackend` toggles
 * `performanceKernels` between measurements.
 */
const suite: BenchSuite = {
  name: 'kernels',
  description: 'wasm kernels: stock tfjs 4.22 vs @siamese/backend overrides (median ms per call)',
  async run({ quick, log }) {
    await initBackend();
    const rng = new Rng(42);
    const keep: tf.Tensor[] = [];
    const rand = (shape: number[]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(rng.fillUniform(new Float32Array(n), -1, 1), shape);
      keep.push(x);
      return x;
    };
    const kernel = (name: string, inputs: tf.NamedTensorMap, attrs: object = {}) =>
      tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];

    const h = rand([128, 128]);
    const w = rand([128, 512]);
    const g = rand([128, 512]);
    const wt = rand([512, 128]);
    const x = rand([2560, 128]);
    const dp = rand([2560, 512]);
    const seq = rand([128, 20, 512]);
    const emb = rand([20000, 128]);
    const x3 = rand([128, 20, 128]);
    const row = rand([128, 1, 128]);
    const q = rand([64, 20, 128]);
    const kT = rand([64, 128, 20]);
    const filter = rand([1, 3, 128, 128]);
    const ids = tf.tensor1d(
      Int32Array.from({ length: 2560 }, () => rng.int(20000)),
      'int32',
    );
    const mask = tf.greater(rand([128, 20, 1]), 0);
    keep.push(ids, mask);
    const mm = (a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean) =>
      kernel('BatchMatMul', { a, b }, { transposeA, transposeB });
    const conv = tf.backend_util.computeConv2DInfo([128, 1, 20, 128], [1, 3, 128, 128], 1, 1, 'same');
    const dy4 = rand([128, 1, 20, 128]);

    const cases: Case[] = [
      { kernel: 'BatchMatMul', shape: '[128,128]·[128,512]', run: () => mm(h, w, false, false) },
      { kernel: 'BatchMatMul', shape: '[128,128]ᵀ·[128,512] (dWhh)', run: () => mm(h, g, true, false) },
      { kernel: 'BatchMatMul', shape: '[128,512]·[128,512]ᵀ (dh)', run: () => mm(g, w, false, true) },
      { kernel: 'BatchMatMul', shape: '[128,128]ᵀ·[512,128]ᵀ', run: () => mm(h, wt, true, true) },
      {
        kernel: 'BatchMatMul',
        shape: '20 × [128,512]·[128,512]ᵀ, same weight',
        run: () => Array.from({ length: 20 }, () => mm(g, w, false, true) as tf.Tensor),
      },
      { kernel: 'BatchMatMul', shape: '[2560,128]ᵀ·[2560,512] (dWih)', run: () => mm(x, dp, true, false) },
      { kernel: 'BatchMatMul', shape: '[2560,512]·[128,512]ᵀ (dX)', run: () => mm(dp, w, false, true) },
      {
        kernel: 'BatchMatMul',
        shape: '[128,20,128]·[128,512] (broadcast)',
        run: () => mm(x3, w, false, false),
      },
      { kernel: 'BatchMatMul', shape: '64×[20,128]·[128,20] (batched)', run: () => mm(q, kT, false, false) },
      {
        kernel: 'Slice',
        shape: '20 time steps of [128,20,512]',
        run: () =>
          Array.from(
            { length: 20 },
            (_, t) => kernel('Slice', { x: seq }, { begin: [0, t, 0], size: [128, 1, 512] }) as tf.Tensor,
          ),
      },
      {
        kernel: 'Unpack',
        shape: '[128,20,512] axis 1',
        run: () => kernel('Unpack', { value: seq }, { axis: 1 }),
      },
      {
        kernel: 'SplitV',
        shape: '[128,512] into 4 gates',
        run: () => kernel('SplitV', { x: g }, { numOrSizeSplits: 4, axis: 1 }),
      },
      {
        kernel: 'GatherV2',
        shape: '2560 rows of [20000,128]',
        run: () => kernel('GatherV2', { x: emb, indices: ids }, { axis: 0, batchDims: 0 }),
      },
      {
        kernel: 'Tile',
        shape: 'bool [128,20,1] → [128,20,128]',
        run: () => kernel('Tile', { x: mask }, { reps: [1, 1, 128] }),
      },
      {
        kernel: 'Equal',
        shape: '[128,20,128] vs [128,1,128]',
        run: () => kernel('Equal', { a: x3, b: row }),
      },
      {
        kernel: 'Reverse',
        shape: '[128,20,128] axis 1',
        run: () => kernel('Reverse', { x: x3 }, { dims: [1] }),
      },
      { kernel: 'Identity', shape: '[128,512]', run: () => kernel('Identity', { x: g }) },
      { kernel: 'Tanh', shape: '[128,128]', run: () => kernel('Tanh', { x: h }) },
      {
        kernel: 'Sum',
        shape: '[2560,512] axis 0 (bias grad)',
        run: () => kernel('Sum', { x: dp }, { axis: [0] }),
      },
      {
        kernel: 'Sum',
        shape: '[128,20,128] axis 1 (pooling)',
        run: () => kernel('Sum', { x: x3 }, { axis: [1] }),
      },
      {
        kernel: 'Concat',
        shape: '3 × [128,128] on axis 1 (CNN widths)',
        run: () => kernel('Concat', [h, h, h] as unknown as tf.NamedTensorMap, { axis: 1 }),
      },
      {
        kernel: 'Max',
        shape: '[128,20,128] axis 1 (masked max over time)',
        run: () => kernel('Max', { x: x3 }, { reductionIndices: [1], keepDims: false }),
      },
      {
        kernel: 'Conv2DBackpropInput',
        shape: 'conv1d k=3, [128,20,128] → 128',
        run: () =>
          kernel(
            'Conv2DBackpropInput',
            { dy: dy4, filter },
            { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', inputShape: conv.inShape },
          ),
      },
    ];

    // The fused LSTM layer against the same recurrence as plain ops (stock kernels), forward + backward.
    const xp = rand([128, 20, 512]) as tf.Tensor3D;
    const lens = Array.from({ length: 128 }, () => 5 + rng.int(16));
    const lstmMask = tf.tensor2d(
      Float32Array.from({ length: 128 * 20 }, (_, i) => (i % 20 < lens[Math.floor(i / 20)]! ? 1 : 0)),
      [128, 20],
    );
    keep.push(lstmMask);
    const u = rand([128, 512]) as tf.Tensor2D;
    cases.push(
      {
        kernel: 'SiameseLstmSequence',
        shape: 'lstmSequence B=128 T=20 H=128, forward',
        run: () => lstmSequence(xp, u, lstmMask),
      },
      {
        kernel: 'SiameseLstmSequence(+Grad)',
        shape: 'lstmSequence B=128 T=20 H=128, forward + backward',
        run: () =>
          tf.grads((x: tf.Tensor, w: tf.Tensor) =>
            tf.sum(lstmSequence(x as tf.Tensor3D, w as tf.Tensor2D, lstmMask)),
          )([xp, u]),
      },
    );

    // SDK ops that replace a chain of stock kernels: the stock column runs that chain.
    const embVar = tf.variable(rand([20000, 128]));
    const embGrad = rand([20000, 128]);
    const adams = { stock: tf.train.adam(1e-3), fused: fusedAdam(1e-3) };
    const ids2 = tf.tensor2d(
      Int32Array.from({ length: 128 * 20 }, () => rng.int(20000)),
      [128, 20],
      'int32',
    );
    const bagWeights = tf.div(lstmMask, tf.sum(lstmMask, 1, true)) as tf.Tensor2D;
    keep.push(embVar, ids2, bagWeights);
    cases.push(
      {
        kernel: 'SiameseAdamUpdate',
        shape: 'Adam step on [20000,128] (fusedAdam vs tf.train.adam)',
        run: () => {
          adams.fused.applyGradients([{ name: embVar.name, tensor: embGrad }]);
          return [];
        },
        stockRun: () => {
          adams.stock.applyGradients([{ name: embVar.name, tensor: embGrad }]);
          return [];
        },
      },
      {
        kernel: 'SiameseEmbeddingBag',
        shape: 'mean of 128×20 rows of [20000,128] (vs gather·mask·sum)',
        run: () => embeddingBag(emb as tf.Tensor2D, ids2, bagWeights),
        stockRun: () => tf.tidy(() => tf.sum(tf.mul(tf.gather(emb, ids2), tf.expandDims(bagWeights, 2)), 1)),
      },
      {
        kernel: 'Transpose',
        shape: 'identity permutation of [20000,128] (gather gradient)',
        run: () => kernel('Transpose', { x: emb }, { perm: [0, 1] }),
      },
    );

    const runs = quick ? 3 : 15;
    const rows: BenchRow[] = [];
    const timeCase = async (c: Case, performanceKernels: boolean) => {
      await initBackend({ performanceKernels });
      const run = !performanceKernels && c.stockRun ? c.stockRun : c.run;
      return (await timeIt(() => tf.dispose(run()), runs, quick ? 1 : 3)).medianMs;
    };
    for (const c of cases) {
      // Interleave stock and override twice and keep the faster median of each (noisy shared machines).
      const stockMs = Math.min(await timeCase(c, false), quick ? Infinity : await timeCase(c, false));
      const overrideMs = Math.min(await timeCase(c, true), quick ? Infinity : await timeCase(c, true));
      log(`kernels: ${c.kernel} ${c.shape}: ${stockMs.toFixed(2)} → ${overrideMs.toFixed(2)} ms`);
      rows.push({
        suite: 'kernels',
        kernel: c.kernel,
        shape: c.shape,
        stockMs: round(stockMs, 3),
        overrideMs: round(overrideMs, 3),
        speedup: round(stockMs / overrideMs, 1),
      });
    }
    await initBackend();
    tf.dispose(keep);
    adams.stock.dispose();
    adams.fused.dispose();
    return rows;
  },
};
export default suite;
