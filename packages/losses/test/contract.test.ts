import { initBackend } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchKind,
  ContrastiveLoss,
  checkBatch,
  lossFromConfig,
  registeredLosses,
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
    expect(
      registeredLosses()
        .filter((n) => n !== 'cosine' && n !== 'mnrl')
        .slice(0, 9),
    ).toEqual(Object.keys(BUILT_INS));
    for (const [name, kind] of Object.entries(BUILT_INS)) {
      const loss = lossFromConfig({ type: name });
      expect(loss.type).toBe(name);
      expect(loss.batchKind).toBe(kind);
    }
  });

  it('getConfig is JSON and rebuilds an equal loss, with sentence-transformers defaults filled in', () => {
    for (const name of Object.keys(BUILT_INS)) {
      const config = lossFromConfig({ type: name }).getConfig();
      const again = lossFromConfig(JSON.parse(JSON.stringify(config)));
      expect(again.getConfig()).toEqual(config);
    }
    expect(lossFromConfig({ type: 'contrastive' }).getConfig()).toEqual({
      type: 'contrastive',
      distance: 'cosine',
      margin: 0.5,
      reduction: 'mean',
    });
    expect(lossFromConfig({ type: 'triplet' }).getConfig()).toMatchObject({
      distance: 'euclidean',
      margin: 5,
    });
    expect(lossFromConfig({ type: 'triplet', distance: 'cosine' }).getConfig()).toMatchObject({
      margin: 0.5,
    });
    expect(lossFromConfig({ type: 'multipleNegativesRanking' }).getConfig()).toMatchObject({
      scale: 20,
      symmetric: false,
    });
    expect(lossFromConfig({ type: 'coSENT' }).getConfig()).toEqual({
      type: 'coSENT',
      scale: 20,
      similarity: 'cosine',
    });
    expect(lossFromConfig({ type: 'batchAllTriplet' }).getConfig()).toMatchObject({
      margin: 5,
      reduction: 'meanNonZero',
    });
    expect(lossFromConfig({ type: 'onlineContrastive' }).getConfig()).toMatchObject({
      margin: 0.5,
      reduction: 'sum',
    });
  });

  it('short names and any capitalisation resolve to the canonical type', () => {
    expect(registeredLosses()).toEqual([
      'cosineSimilarity',
      'cosine',
      'contrastive',
      'onlineContrastive',
      'triplet',
      'batchHardTriplet',
      'batchSemiHardTriplet',
      'batchAllTriplet',
      'multipleNegativesRanking',
      'mnrl',
      'coSENT',
      ...registeredLosses().slice(11),
    ]);
    expect(lossFromConfig({ type: 'cosent' }).type).toBe('coSENT');
    expect(lossFromConfig({ type: 'CoSENT' }).getConfig().type).toBe('coSENT');
    expect(lossFromConfig({ type: 'mnrl' }).type).toBe('multipleNegativesRanking');
    expect(lossFromConfig({ type: 'COSINE' }).type).toBe('cosineSimilarity');
  });

  it('every built-in declares the similarity its model should be searched with', () => {
    expect(lossFromConfig({ type: 'coSENT' }).similarity).toBe('cosine');
    expect(lossFromConfig({ type: 'mnrl', similarity: 'dot' }).similarity).toBe('dot');
    expect(lossFromConfig({ type: 'triplet' }).similarity).toBe('euclidean');
    expect(lossFromConfig({ type: 'contrastive', distance: 'manhattan' }).similarity).toBe('manhattan');
    expect(lossFromConfig({ type: 'cosineSimilarity' }).similarity).toBe('cosine');
  });

  it('unknown types, bad and misspelt options are E_UNKNOWN_TYPE / E_LOSS_CONFIG errors', () => {
    const unknown = thrown(() => lossFromConfig({ type: 'tripplet' }));
    expect(SiameseError.is(unknown, 'E_UNKNOWN_TYPE')).toBe(true);
    expect(unknown.message).toContain('loss type "tripplet" is not registered');
    expect(unknown.message).toContain('triplet');
    expect(unknown.message).toContain('registerLoss("tripplet", factory)');
    const typo = thrown(() => lossFromConfig({ type: 'triplet', margn: 1 }));
    expect(typo.code).toBe('E_LOSS_CONFIG');
    expect(typo.message).toBe('triplet: unknown option margn (known: distance, margin, reduction)');
    expect(thrown(() => new TripletLoss({ distance: 'hamming' as never })).message).toBe(
      "triplet: option distance must be one of 'cosine', 'dot', 'euclidean', 'manhattan', found string \"hamming\"",
    );
    expect(thrown(() => lossFromConfig({ type: 'multipleNegativesRanking', scale: -1 })).message).toBe(
      'multipleNegativesRanking: option scale must be a positive finite number, found number -1',
    );
    expect(thrown(() => lossFromConfig({ type: 'coSENT', reduction: 'mean' })).code).toBe('E_LOSS_CONFIG');
    expect(thrown(() => lossFromConfig({ type: 'batchHardTriplet', softMargin: 'yes' })).code).toBe(
      'E_LOSS_CONFIG',
    );
    expect(thrown(() => lossFromConfig(null as never)).code).toBe('E_LOSS_CONFIG');
    expect(thrown(() => registerLoss('', () => new ContrastiveLoss())).code).toBe('E_INVALID_ARGUMENT');
  });

  it('registerLoss adds a custom loss and can replace a built-in variant', () => {
    registerLoss(
      'contrastiveEuclidean',
      (c) => new ContrastiveLoss({ distance: 'euclidean', margin: (c.margin as number) ?? 1 }),
    );
    expect(registeredLosses()).toContain('contrastiveEuclidean');
    const loss = lossFromConfig({ type: 'contrastiveEuclidean', margin: 2 });
    expect(loss.getConfig()).toMatchObject({ type: 'contrastive', distance: 'euclidean', margin: 2 });
  });
});

describe('batch checks', () => {
  const e = () => tf.zeros([3, 4]) as tf.Tensor2D;
  it('names what is missing and what was given', () => {
    const err = thrown(() => lossFromConfig({ type: 'triplet' }).compute({ anchor: e(), positive: e() }));
    expect(SiameseError.is(err)).toBe(true);
    expect(err.code).toBe('E_LOSS_BATCH');
    expect(err.message).toBe(
      "triplet: a 'triplets' batch needs anchor, positive, negative; missing negative (given: anchor, positive)",
    );
    expect(err.details).toMatchObject({ missing: ['negative'], given: ['anchor', 'positive'] });
    const none = thrown(() => lossFromConfig({ type: 'coSENT' }).compute({}));
    expect(none.message).toBe(
      "coSENT: a 'scored-pairs' batch needs a, b, scores; missing a, b, scores (given: nothing)",
    );
    expect(
      thrown(() => lossFromConfig({ type: 'contrastive' }).compute({ a: e(), b: e(), scores: tf.zeros([3]) }))
        .message,
    ).toBe("contrastive: a 'labelled-pairs' batch needs a, b, labels; missing labels (given: a, b, scores)");
  });

  it('rejects shape mismatches with expected and found shapes', () => {
    const loss = lossFromConfig({ type: 'cosineSimilarity' });
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
    const mnrl = lossFromConfig({ type: 'multipleNegativesRanking' });
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
