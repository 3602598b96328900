import { fusedAdam, initBackend } from '@siamese/backend';
import { embeddingBag, lstmSequence } from '@siamese/backend/internals';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { round, timeIt } from '../measure.js';
import type { BenchRow, BenchSuite } from '../types.js';

interface Case {
  op: string;
  shape: string;
  /** Builds the inputs (seeded) and returns the measured call plus what to dispose afterwards. */
  setUp(rng: Rng): { run: () => void; dispose: () => void };
}

const rand = (rng: Rng, shape: number[], scale = 1) =>
  tf.tensor(rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -scale, scale), shape);

function lengthsMask(B: number, T: number): tf.Tensor2D {
  const m = Float32Array.from({ length: B * T }, (_, i) =>
    i % T < 5 + ((Math.floor(i / T) * 7) % (T - 4)) ? 1 : 0,
  );
  return tf.tensor2d(m, [B, T]);
}

const cases = (quick: boolean): Case[] => {
  const [V, D, B, T] = quick ? [2_000, 32, 32, 20] : [20_000, 128, 256, 20];
  return [
    {
      op: 'fusedAdam',
      shape: `step on [${V},${D}]`,
      setUp(rng) {
        const v = tf.variable(rand(rng, [V, D]));
        const g = rand(rng, [V, D]);
        const opt = fusedAdam(1e-3);
        return {
          run: () => opt.applyGradients([{ name: v.name, tensor: g }]),
          dispose: () => {
            tf.dispose([v, g]);
            opt.dispose();
          },
        };
      },
    },
    {
      op: 'embeddingBag',
      shape: `mean of ${B}×${T} rows of [${V},${D}]`,
      setUp(rng) {
        const table = rand(rng, [V, D]) as tf.Tensor2D;
        const ids = tf.tensor2d(
          Int32Array.from({ length: B * T }, () => rng.int(V)),
          [B, T],
          'int32',
        );
        const mask = lengthsMask(B, T);
        const w = tf.div(mask, tf.sum(mask, 1, true)) as tf.Tensor2D;
        return {
          run: () => embeddingBag(table, ids, w).dispose(),
          dispose: () => tf.dispose([table, ids, mask, w]),
        };
      },
    },
    {
      op: 'UnsortedSegmentSum',
      shape: `gather gradient, ${(B * T) / 2} rows into [${V},${D}]`,
      setUp(rng) {
        const x = rand(rng, [(B * T) / 2, D]);
        const ids = tf.tensor1d(
          Int32Array.from({ length: (B * T) / 2 }, () => rng.int(V)),
          'int32',
        );
        return { run: () => tf.unsortedSegmentSum(x, ids, V).dispose(), dispose: () => tf.dispose([x, ids]) };
      },
    },
    {
      op: 'lstmSequence',
      shape: `forward B=${B} T=${T} H=${D}`,
      setUp(rng) {
        const xp = rand(rng, [B, T, 4 * D]) as tf.Tensor3D;
        const u = rand(rng, [D, 4 * D], 0.1) as tf.Tensor2D;
        const mask = lengthsMask(B, T);
        return { run: () => lstmSequence(xp, u, mask).dispose(), dispose: () => tf.dispose([xp, u, mask]) };
      },
    },
    {
      op: 'lstmSequence',
      shape: `forward + backward B=${B / 2} T=${T} H=${D}`,
      setUp(rng) {
        const xp = rand(rng, [B / 2, T, 4 * D]) as tf.Tensor3D;
        const u = rand(rng, [D, 4 * D], 0.1) as tf.Tensor2D;
        const mask = lengthsMask(B / 2, T);
        const f = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf.sum(lstmSequence(x as tf.Tensor3D, w as tf.Tensor2D, mask)),
        );
        return { run: () => tf.dispose(f([xp, u])), dispose: () => tf.dispose([xp, u, mask]) };
      },
    },
    {
      op: 'Tanh',
      shape: `[${B},${4 * D}]`,
      setUp(rng) {
        const x = rand(rng, [B, 4 * D], 3);
        return { run: () => tf.tanh(x).dispose(), dispose: () => x.dispose() };
      },
    },
  ];
};

/** The plain-JS kernels (`simdKernels: false`) against the WASM SIMD kernels module, same inputs, same process. */
const suite: BenchSuite = {
  name: 'simd',
  description: 'wasm: @siamese/backend plain-JS kernels vs the WASM SIMD kernels module (median ms per call)',
  async run({ quick, log }) {
    const runs = quick ? 3 : 15;
    const rows: BenchRow[] = [];
    for (const c of cases(quick)) {
      const ms: Record<string, number> = {};
      // Two rounds each way, the faster median kept (noisy shared machines).
      for (const simd of quick ? [false, true] : [false, true, false, true]) {
        await initBackend({ simdKernels: simd });
        const { run, dispose } = c.setUp(new Rng(11));
        const m = (await timeIt(run, runs, quick ? 1 : 3)).medianMs;
        dispose();
        const key = simd ? 'simd' : 'js';
        ms[key] = Math.min(ms[key] ?? Infinity, m);
      }
      log(`simd: ${c.op} ${c.shape}: ${ms.js!.toFixed(2)} → ${ms.simd!.toFixed(2)} ms`);
      rows.push({
        suite: 'simd',
        op: c.op,
        shape: c.shape,
        jsMs: round(ms.js!, 3),
        simdMs: round(ms.simd!, 3),
        speedup: round(ms.js! / ms.simd!, 1),
      });
    }
    await initBackend({ simdKernels: true });
    return rows;
  },
};
export default suite;
