import { initBackend } from '@siamese/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchKind,
  ContrastiveLoss,
  checkBatch,
  LossConfigError,
  LossError,
  lossFromConfig,
  lossNames,
  registerLoss,
  requiredFields,
  TripletLoss,
} from '../src/index.js';

const BUILT_INS: Record<string, BatchKind> = {
  cosineSimilarity: 'scored-pairs',
  contrastive: 'labelled-pairs',
  onlineContrastive: 'labelled-pairs',
  triplet: 'triplets',
  batchHardTriplet: 'labelled-embeddings',
  batchSemiHardTriplet: 'labelled-embeddings',
  batchAllTriplet: 'labelled-embeddings',
  multipleNegativesRanking: 'anchor-positive',
  coSENT: 'scored-pairs',
};

function thrown(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  expect(tf.getBackend()).toBe('cpu');
});

describe('registry and configs', () => {
  it('lists every built-in loss with its batch kind', () => {
    expect(lossNames().slice(0, 9)).toEqual(Object.keys(BUILT_INS));
    for (const [name, kind] of Object.entries(BUILT_INS)) {
      const loss = lossFromConfig({ name });
      expect(loss.name).toBe(name);
      expect(loss.batchKind).toBe(kind);
    }
  });

  it('getConfig is JSON and rebuilds an equal loss, with sentence-transformers defaults filled in', () => {
    for (const name of Object.keys(BUILT_INS)) {
      const config = lossFromConfig({ name }).getConfig();
      const again = lossFromConfig(JSON.parse(JSON.stringify(config)));
      expect(again.getConfig()).toEqual(config);
    }
    expect(lossFromConfig({ name: 'contrastive' }).getConfig()).toEqual({
      name: 'contrastive',
      distance: 'cosine',
      margin: 0.5,
      reduction: 'mean',
    });
    expect(lossFromConfig({ name: 'triplet' }).getConfig()).toMatchObject({
      distance: 'euclidean',
      margin: 5,
    });
    expect(lossFromConfig({ name: 'triplet', distance: 'cosine' }).getConfig()).toMatchObject({
      margin: 0.5,
    });
    expect(lossFromConfig({ name: 'multipleNegativesRanking' }).getConfig()).toMatchObject({
      scale: 20,
      symmetric: false,
    });
    expect(lossFromConfig({ name: 'coSENT' }).getConfig()).toEqual({
      name: 'coSENT',
      scale: 20,
      similarity: 'cosine',
    });
    expect(lossFromConfig({ name: 'batchAllTriplet' }).getConfig()).toMatchObject({
      margin: 5,
      reduction: 'meanNonZero',
    });
    expect(lossFromConfig({ name: 'onlineContrastive' }).getConfig()).toMatchObject({
      margin: 0.5,
      reduction: 'sum',
    });
  });

  it('unknown names, bad and misspelt options are E_LOSS_UNKNOWN / E_LOSS_CONFIG errors', () => {
    const unknown = thrown(() => lossFromConfig({ name: 'tripplet' }));
    expect(unknown).toBeInstanceOf(LossConfigError);
    expect(unknown.code).toBe('E_LOSS_UNKNOWN');
    expect(unknown.message).toContain("unknown loss 'tripplet'");
    expect(unknown.message).toContain('triplet');
    const typo = thrown(() => lossFromConfig({ name: 'triplet', margn: 1 }));
    expect(typo.code).toBe('E_LOSS_CONFIG');
    expect(typo.message).toBe('triplet: unknown option margn (known: distance, margin, reduction)');
    expect(thrown(() => new TripletLoss({ distance: 'hamming' as never })).message).toBe(
      "triplet: option distance must be one of 'cosine', 'euclidean', 'manhattan', 'dot', found string \"hamming\"",
    );
    expect(thrown(() => lossFromConfig({ name: 'multipleNegativesRanking', scale: -1 })).message).toBe(
      'multipleNegativesRanking: option scale must be a positive finite number, found number -1',
    );
    expect(thrown(() => lossFromConfig({ name: 'coSENT', reduction: 'mean' })).code).toBe('E_LOSS_CONFIG');
    expect(thrown(() => lossFromConfig({ name: 'batchHardTriplet', softMargin: 'yes' })).code).toBe(
      'E_LOSS_CONFIG',
    );
    expect(thrown(() => lossFromConfig(null as never)).code).toBe('E_LOSS_CONFIG');
    expect(thrown(() => registerLoss('', () => new ContrastiveLoss())).code).toBe('E_LOSS_CONFIG');
  });

  it('registerLoss adds a custom loss and can replace a built-in variant', () => {
    registerLoss(
      'contrastiveEuclidean',
      (c) => new ContrastiveLoss({ distance: 'euclidean', margin: (c.margin as number) ?? 1 }),
    );
    expect(lossNames()).toContain('contrastiveEuclidean');
    const loss = lossFromConfig({ name: 'contrastiveEuclidean', margin: 2 });
    expect(loss.getConfig()).toMatchObject({ name: 'contrastive', distance: 'euclidean', margin: 2 });
  });
});

describe('batch checks', () => {
  const e = () => tf.zeros([3, 4]) as tf.Tensor2D;
  it('names what is missing and what was given', () => {
    const err = thrown(() => lossFromConfig({ name: 'triplet' }).compute({ anchor: e(), positive: e() }));
    expect(err).toBeInstanceOf(LossError);
    expect(err.code).toBe('E_LOSS_BATCH');
    expect(err.message).toBe(
      "triplet: a 'triplets' batch needs anchor, positive, negative; missing negative (given: anchor, positive)",
    );
    expect(err.details).toMatchObject({ missing: ['negative'], given: ['anchor', 'positive'] });
    const none = thrown(() => lossFromConfig({ name: 'coSENT' }).compute({}));
    expect(none.message).toBe(
      "coSENT: a 'scored-pairs' batch needs a, b, scores; missing a, b, scores (given: nothing)",
    );
    expect(
      thrown(() => lossFromConfig({ name: 'contrastive' }).compute({ a: e(), b: e(), scores: tf.zeros([3]) }))
        .message,
    ).toBe("contrastive: a 'labelled-pairs' batch needs a, b, labels; missing labels (given: a, b, scores)");
  });

  it('rejects shape mismatches with expected and found shapes', () => {
    const loss = lossFromConfig({ name: 'cosineSimilarity' });
    expect(
      thrown(() => loss.compute({ a: e(), b: tf.zeros([2, 4]) as tf.Tensor2D, scores: tf.zeros([3]) }))
        .message,
    ).toBe('cosineSimilarity: b must be [3, 4] (B from a), found shape [2, 4]');
    expect(
      thrown(() => loss.compute({ a: e(), b: tf.zeros([3, 5]) as tf.Tensor2D, scores: tf.zeros([3]) }))
        .message,
    ).toBe('cosineSimilarity: b must be [3, 4] (D from a), found shape [3, 5]');
    expect(thrown(() => loss.compute({ a: e(), b: e(), scores: tf.zeros([4]) as tf.Tensor1D })).message).toBe(
      'cosineSimilarity: scores must be [3] (one per row), found shape [4]',
    );
    expect(
      thrown(() => loss.compute({ a: tf.zeros([3]) as never, b: e(), scores: tf.zeros([3]) })).code,
    ).toBe('E_LOSS_BATCH');
    expect(
      thrown(() =>
        loss.compute({
          a: tf.zeros([0, 4]) as tf.Tensor2D,
          b: tf.zeros([0, 4]) as tf.Tensor2D,
          scores: tf.zeros([0]),
        }),
      ).message,
    ).toBe('cosineSimilarity: the batch is empty (0 rows)');
    // Ranking negatives may have any number of rows, but the same D.
    const mnrl = lossFromConfig({ name: 'multipleNegativesRanking' });
    expect(() =>
      tf.dispose(mnrl.compute({ anchor: e(), positive: e(), negative: tf.ones([7, 4]) as tf.Tensor2D })),
    ).not.toThrow();
    expect(
      thrown(() => mnrl.compute({ anchor: e(), positive: e(), negative: tf.ones([7, 3]) as tf.Tensor2D }))
        .message,
    ).toBe('multipleNegativesRanking: negative must be [N, 4] (D from anchor), found shape [7, 3]');
  });

  it('requiredFields and checkBatch are usable by other code', () => {
    expect(requiredFields('labelled-embeddings')).toEqual(['embeddings', 'labels']);
    const batch = { embeddings: e(), labels: tf.tensor1d([0, 1, 0], 'int32') };
    expect(checkBatch('x', 'labelled-embeddings', batch)).toBe(batch);
  });
});
