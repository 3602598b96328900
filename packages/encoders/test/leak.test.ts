import { initBackend, tensorLeakCheck } from '@siamese/backend';
import { Rng } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  cnn,
  dense,
  dropout,
  embedding,
  hashedNgramEmbedding,
  lstm,
  normalize,
  sequential,
} from '../src/index.js';
import { batch, disposeBatch } from './helpers.js';

describe.each(['wasm', 'cpu'] as const)('no tensor leaks on %s', (backend) => {
  it('100 forward+backward calls of small models (every step type)', async () => {
    await initBackend({ backend });
    expect(tf.getBackend()).toBe(backend);
    const models = [
      sequential(
        embedding({ vocabSize: 20, dim: 4, paddingIdx: 0 }),
        hashedNgramEmbedding({ buckets: 11, dim: 4 }),
        lstm({ hidden: 3, layers: 2, bidirectional: true, dropout: 0.2, output: 'sequence' }),
        cnn({ filters: 2, kernelSizes: [1, 2] }),
        dropout({ rate: 0.1 }),
        dense({ units: 3 }),
        normalize(),
      ),
      sequential(embedding({ vocabSize: 20, dim: 4 }), lstm({ hidden: 3, packed: false, output: 'max' })),
    ];
    const input = batch([[1, 2, 3, 4], [5, 6], [7]], 5);
    input.ngramIds = tf.tensor3d(
      Array.from({ length: 3 * 5 * 2 }, (_, i) => i % 7),
      [3, 5, 2],
      'int32',
    );
    const rng = new Rng(1);
    for (const enc of models) {
      await tensorLeakCheck(
        () => {
          const { value, grads } = tf.variableGrads(
            () => tf.sum(enc.encode(input, { training: true, rng })) as tf.Scalar,
            enc.trainableVariables(),
          );
          tf.dispose([value, ...Object.values(grads)]);
          enc.encode(input).dispose();
        },
        {
          iterations: 100,
          warmup: 2,
          label: `${backend} ${(enc.getConfig().steps as { type: string }[]).map((s) => s.type).join(' → ')}`,
        },
      );
      enc.dispose();
    }
    disposeBatch(input);
  }, 120_000);
});
