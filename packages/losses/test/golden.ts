import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { LossBatch, LossConfig } from '../src/index.js';

/** PyTorch goldens kept in the repo (see fixtures/README.md). */
const goldenDir = new URL('../../../fixtures/golden/', import.meta.url);

/** A golden tensor `{shape, data}`. */
export interface GoldenTensor {
  shape: number[];
  data: unknown;
}

/** One case of a `loss_*.json` file. */
export interface GoldenCase {
  inputs: Record<string, GoldenTensor>;
  loss: GoldenTensor;
  grads: Record<string, GoldenTensor>;
}

/** Parsed `fixtures/golden/<name>.json`. */
export function readGolden(name: string): { cases: GoldenCase[]; [k: string]: unknown } {
  return JSON.parse(readFileSync(new URL(`${name}.json`, goldenDir), 'utf8'));
}

/** Which loss config reproduces each golden file. */
export const GOLDEN_LOSSES: Record<string, LossConfig> = {
  loss_cosine_mse: { type: 'cosineSimilarity' },
  loss_contrastive: { type: 'contrastive' },
  loss_online_contrastive: { type: 'onlineContrastive' },
  loss_triplet_euclidean: { type: 'triplet' },
  loss_triplet_cosine: { type: 'triplet', distance: 'cosine' },
  loss_mnrl: { type: 'multipleNegativesRanking' },
  loss_cosent: { type: 'coSENT' },
  // fixtures/golden/batch_losses.py (sentence-transformers' batch triplet losses and symmetric MNRL, transcribed).
  loss_batch_hard_triplet: { type: 'batchHardTriplet' },
  loss_batch_hard_soft_margin_triplet: { type: 'batchHardTriplet', softMargin: true },
  loss_batch_semi_hard_triplet: { type: 'batchSemiHardTriplet' },
  loss_batch_all_triplet: { type: 'batchAllTriplet' },
  loss_mnrl_symmetric: { type: 'multipleNegativesRanking', symmetric: true },
};

/**
 * Losses that compute the formula of another's golden file: cached MNRL is MNRL's loss and embedding gradients
 * (GradCache changes how the trainer runs the encoder, not the maths; packages/runtime/test/grad-cache.test.ts
 * checks the weight gradients against plain MNRL's).
 */
export const GOLDEN_REUSED: readonly (readonly [file: string, config: LossConfig])[] = [
  ['loss_mnrl', { type: 'cachedMultipleNegativesRanking', miniBatchSize: 2 }],
  ['loss_mnrl_symmetric', { type: 'cachedMultipleNegativesRanking', symmetric: true, miniBatchSize: 2 }],
];

/** Golden input name → LossBatch field (labels become `scores` for scored-pair losses). */
const FIELD: Record<string, keyof LossBatch> = {
  u: 'a',
  v: 'b',
  anchors: 'anchor',
  positives: 'positive',
  negatives: 'negative',
  anchor: 'anchor',
  positive: 'positive',
  negative: 'negative',
  embeddings: 'embeddings',
};

/** Flattens nested JSON arrays. */
export function flat(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x as number];
}

/** The embedding input names of a case (those with gradients), and a builder of its batch. */
export function goldenBatch(
  c: GoldenCase,
  scored: boolean,
): { names: string[]; build(embeddings: tf.Tensor[]): LossBatch; dispose(): void } {
  const names = Object.keys(c.grads);
  // Class labels of single embeddings are int32 ids; pair labels and scores are float32.
  const classIds = 'embeddings' in c.inputs;
  const labels = c.inputs.labels
    ? tf.tensor1d(flat(c.inputs.labels.data), classIds ? 'int32' : 'float32')
    : undefined;
  return {
    names,
    build(embeddings) {
      const batch: LossBatch = {};
      names.forEach((n, i) => {
        (batch as Record<string, tf.Tensor>)[FIELD[n]!] = embeddings[i]!;
      });
      if (labels) batch[scored ? 'scores' : 'labels'] = labels;
      return batch;
    },
    dispose: () => labels?.dispose(),
  };
}
