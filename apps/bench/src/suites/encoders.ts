import { fusedAdam, initBackend } from '@siamese/backend';
import { Rng } from '@siamese/core';
import type { EncoderInput } from '@siamese/encoders';
import * as tf from '@tensorflow/tfjs-core';
import { referenceEncoder } from '../../scripts/reference-encoder.mjs';
import { peakRssMB, round, timeIt } from '../measure.js';
import type { BenchRow, BenchSuite } from '../types.js';
import { workerRows } from '../workers.js';

/** PyTorch 1.13 reference on 2 threads, same config: train pairs/s, inference sentences/s. */
const PYTORCH: Record<string, { train: number; infer: number }> = {
  lstm: { train: 749, infer: 15_075 },
  bilstm: { train: 400, infer: 7_085 },
  cnn: { train: 1_256, infer: 24_687 },
  meanpool: { train: 1_997, infer: 332_149 },
};

interface Sizes {
  vocab: number;
  dim: number;
  pairs: number;
  inferBatch: number;
  T: number;
}

/** Deterministic ids in 1..V-1, lengths spread over 5..T, right-padded. */
function makeBatch(rng: Rng, n: number, s: Sizes): EncoderInput {
  const ids = new Int32Array(n * s.T);
  const mask = new Float32Array(n * s.T);
  const lengths = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const len = 5 + ((b * 7) % (s.T - 4));
    lengths[b] = len;
    for (let t = 0; t < len; t++) {
      ids[b * s.T + t] = 1 + rng.int(s.vocab - 1);
      mask[b * s.T + t] = 1;
    }
  }
  return { ids: tf.tensor2d(ids, [n, s.T], 'int32'), mask: tf.tensor2d(mask, [n, s.T]), lengths };
}

function dispose(input: EncoderInput): void {
  tf.dispose([input.ids, input.mask]);
}

/** CosineSimilarityLoss written inline: mean((cos(u, v) - label)²). */
function cosineMse(u: tf.Tensor2D, v: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const dot = tf.sum(tf.mul(u, v), 1);
  const norms = tf.mul(tf.norm(u, 'euclidean', 1), tf.norm(v, 'euclidean', 1));
  return tf.mean(tf.square(tf.sub(tf.div(dot, tf.maximum(norms, 1e-8)), labels)));
}

async function measure(name: string, backend: 'wasm' | 'cpu', s: Sizes, runs: number, warmup: number) {
  await initBackend({ backend });
  if (tf.getBackend() !== backend) throw new Error(`expected backend ${backend}, found ${tf.getBackend()}`);
  const rng = new Rng(7);
  const enc = referenceEncoder(name, s.vocab, s.dim);
  // Both sides in one batch, encoded by one call and split, as the trainer in @siamese/runtime does.
  const both = makeBatch(rng, 2 * s.pairs, s);
  const labels = tf.tensor1d(Array.from({ length: s.pairs }, (_, i) => (i % 5) / 4));
  const inferInput = makeBatch(rng, s.inferBatch, s);
  // The trainer's optimizer (same update as torch.optim.Adam, eps 1e-8).
  const optimizer = fusedAdam(1e-3, 0.9, 0.999, 1e-8);
  const vars = enc.trainableVariables();
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const emb = enc.encode(both, { training: true });
        const u = tf.slice(emb, [0, 0], [s.pairs, -1]) as tf.Tensor2D;
        const v = tf.slice(emb, [s.pairs, 0], [s.pairs, -1]) as tf.Tensor2D;
        return cosineMse(u, v, labels);
      }, vars);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      value.dataSync();
    });
  // Read the result OUTSIDE tidy: tidy walks whatever it returns, and a 32k-element Float32Array costs ~6 ms.
  const infer = () => {
    const out = tf.tidy(() => enc.encode(inferInput));
    out.dataSync();
    out.dispose();
  };
  const train = await timeIt(step, runs, warmup);
  const inf = await timeIt(infer, runs, warmup);
  enc.dispose();
  optimizer.dispose();
  tf.dispose(labels);
  [both, inferInput].forEach(dispose);
  return {
    trainPairsPerSec: (s.pairs / train.medianMs) * 1000,
    inferSentencesPerSec: (s.inferBatch / inf.medianMs) * 1000,
    runs,
  };
}

/** Training and inference throughput of the preset encoders on wasm and cpu, against PyTorch. */
const suite: BenchSuite = {
  name: 'encoders',
  description:
    'presets lstm/bilstm/cnn/meanpool (V 20k, emb/hidden 128, 64 pairs, T 20): train pairs/s (both sides in one encode call as the trainer does + cosine-MSE + bwd + Adam), inference sentences/s (batches of 256); then mode "workers": fit() and embedMatrix() of 10k sentences on 1, 2 and nproc threads, interleaved with PyTorch (2 threads), GFLOP/s against the one-thread SIMD matmul peak',
  async run({ quick, log }) {
    const sizes: Sizes = quick
      ? { vocab: 2_000, dim: 32, pairs: 16, inferBatch: 64, T: 20 }
      : { vocab: 20_000, dim: 128, pairs: 64, inferBatch: 256, T: 20 };
    const rows: BenchRow[] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      for (const name of ['lstm', 'bilstm', 'cnn', 'meanpool']) {
        const runs = quick ? 2 : backend === 'wasm' ? 10 : 3;
        const warmup = quick ? 1 : backend === 'wasm' ? 2 : 1;
        const r = await measure(name, backend, sizes, runs, warmup);
        const ref = PYTORCH[name]!;
        log(
          `encoders: ${name} on ${backend}: ${round(r.trainPairsPerSec)} pairs/s, ${round(r.inferSentencesPerSec)} sentences/s`,
        );
        rows.push({
          suite: 'encoders',
          encoder: name,
          backend,
          trainPairsPerSec: round(r.trainPairsPerSec),
          inferSentencesPerSec: round(r.inferSentencesPerSec),
          peakRssMB: peakRssMB(),
          ratioTrainVsPyTorch: round(r.trainPairsPerSec / ref.train, 3),
          ratioInferVsPyTorch: round(r.inferSentencesPerSec / ref.infer, 3),
          runs: r.runs,
        });
      }
    }
    await initBackend();
    rows.push(
      ...(await workerRows(
        quick
          ? { vocab: 2_000, dim: 32, pairs: 16, steps: 5, sentences: 512, inferBatch: 64, T: 20, rounds: 1 }
          : {
              vocab: 20_000,
              dim: 128,
              pairs: 64,
              steps: 200,
              sentences: 10_000,
              inferBatch: 256,
              T: 20,
              rounds: 3,
            },
        { torch: !quick, log, ...(quick ? { encoders: ['cnn', 'meanpool'] } : {}) },
      )),
    );
    return rows;
  },
};
export default suite;
