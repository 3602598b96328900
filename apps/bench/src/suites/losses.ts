import { initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import { type LossBatch, type LossConfig, lossFromConfig } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import { round, timeIt } from '../measure.js';
import type { BenchRow, BenchSuite } from '../types.js';

const CONFIGS: LossConfig[] = [
  { type: 'cosineSimilarity' },
  { type: 'contrastive' },
  { type: 'onlineContrastive' },
  { type: 'triplet' },
  { type: 'batchHardTriplet' },
  { type: 'batchSemiHardTriplet' },
  { type: 'batchAllTriplet' },
  { type: 'multipleNegativesRanking' },
  { type: 'multipleNegativesRanking', symmetric: true },
  { type: 'coSENT' },
];

/** Loss value + gradients w.r.t. every embedding input (what one training step asks of a loss), on wasm. */
const suite: BenchSuite = {
  name: 'losses',
  description:
    'loss value + gradients on wasm (B×D embeddings), and x·yᵀ: explicit transposes vs matMul flags',
  async run({ quick, log }) {
    await initBackend();
    const rng = new Rng(1);
    const B = quick ? 16 : 64;
    const D = quick ? 32 : 256;
    const runs = quick ? 3 : 15;
    const rand = (rows: number) => tf.tensor2d(rng.fillUniform(new Float32Array(rows * D), -1, 1), [rows, D]);
    const e = [rand(B), rand(B), rand(B)];
    const labels = tf.tensor1d(
      Array.from({ length: B }, (_, i) => i % 2),
      'float32',
    );
    const classes = tf.tensor1d(
      Array.from({ length: B }, (_, i) => i % Math.max(2, B / 4)),
      'int32',
    );
    const rows: BenchRow[] = [];
    for (const config of CONFIGS) {
      const loss = lossFromConfig(config);
      const n = loss.batchKind === 'labelled-embeddings' ? 1 : loss.batchKind.endsWith('pairs') ? 2 : 3;
      const f = (...x: tf.Tensor[]) => {
        const [p, q, r] = x as tf.Tensor2D[];
        const batch: LossBatch =
          loss.batchKind === 'scored-pairs'
            ? { a: p, b: q, scores: labels }
            : loss.batchKind === 'labelled-pairs'
              ? { a: p, b: q, labels }
              : loss.batchKind === 'labelled-embeddings'
                ? { embeddings: p, labels: classes }
                : { anchor: p, positive: q, negative: r };
        return loss.compute(batch);
      };
      const t = await timeIt(
        () =>
          tf.tidy(() => {
            const { value, grads } = tf.valueAndGrads(f)(e.slice(0, n));
            grads[0]!.dataSync();
            return value.dataSync()[0];
          }),
        runs,
        2,
      );
      const op = `${config.type}${config.symmetric ? ' (symmetric)' : ''}`;
      log(`  ${op}: ${round(t.medianMs, 2)} ms`);
      rows.push({ suite: 'losses', op, backend: 'wasm', batch: B, dim: D, ms: round(t.medianMs, 3), runs });
    }
    // x·yᵀ forward + backward: matMul's transposeB flag (what `gram` uses) vs an explicit transpose.
    const G = quick ? 32 : 256;
    const x = rand(G);
    const y = rand(G);
    const w = tf.tensor2d(rng.fillUniform(new Float32Array(G * G), -1, 1), [G, G]);
    const variants: [string, (p: tf.Tensor2D, q: tf.Tensor2D) => tf.Tensor2D][] = [
      ['matMul(x, y, false, true)', (p, q) => tf.matMul(p, q, false, true)],
      ['matMul(x, transpose(y))', (p, q) => tf.matMul(p, tf.transpose(q))],
    ];
    for (const [op, mm] of variants) {
      const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(mm(p as tf.Tensor2D, q as tf.Tensor2D), w));
      const t = await timeIt(() => tf.tidy(() => tf.grads(f)([x, y])[0]!.dataSync()[0]), runs, 2);
      log(`  ${op}: ${round(t.medianMs, 2)} ms`);
      rows.push({
        suite: 'losses',
        op: `x·yᵀ + grads: ${op}`,
        backend: 'wasm',
        batch: G,
        dim: D,
        ms: round(t.medianMs, 3),
        runs,
      });
    }
    tf.dispose([...e, labels, classes, x, y, w]);
    return rows;
  },
};
export default suite;
