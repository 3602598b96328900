import { initBackend, tensorLeakCheck } from '@siamese/backend';
import { type LossBatch, type LossConfig, lossFromConfig, registeredLosses } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import { assert, assertClose, assertEqual, assertThrows, defineSuite, flat } from '../harness.js';

const WASM_TOL = 1e-4;

/** Which loss config reproduces each golden file (through the public registry). */
const GOLDEN: Record<string, LossConfig> = {
  loss_cosine_mse: { type: 'cosineSimilarity' },
  loss_contrastive: { type: 'contrastive' },
  loss_online_contrastive: { type: 'onlineContrastive' },
  loss_triplet_euclidean: { type: 'triplet' },
  loss_triplet_cosine: { type: 'triplet', distance: 'cosine' },
  loss_mnrl: { type: 'multipleNegativesRanking' },
  loss_cosent: { type: 'coSENT' },
  loss_batch_hard_triplet: { type: 'batchHardTriplet' },
  loss_batch_hard_soft_margin_triplet: { type: 'batchHardTriplet', softMargin: true },
  loss_batch_semi_hard_triplet: { type: 'batchSemiHardTriplet' },
  loss_batch_all_triplet: { type: 'batchAllTriplet' },
  loss_mnrl_symmetric: { type: 'multipleNegativesRanking', symmetric: true },
};

/** Golden input name → batch field; `labels` become `scores` for scored-pair losses. */
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

export default defineSuite('losses', (test) => {
  for (const [file, config] of Object.entries(GOLDEN)) {
    test(`${file}: every case, value and gradients on wasm (1e-4), no leaks`, async (ctx) => {
      await initBackend();
      assertEqual(tf.getBackend(), 'wasm', 'backend');
      const golden = await ctx.golden(file);
      const loss = lossFromConfig(config);
      assert(golden.cases.length > 0, `${file} has cases`);
      for (const [index, c] of (golden.cases as any[]).entries()) {
        const names = Object.keys(c.grads);
        const xs = names.map((n) => tf.tensor(flat(c.inputs[n].data), c.inputs[n].shape, 'float32'));
        // Class ids of single embeddings are int32; pair labels and scores float32.
        const dtype = 'embeddings' in c.inputs ? 'int32' : 'float32';
        const labels = c.inputs.labels ? tf.tensor1d(flat(c.inputs.labels.data), dtype) : undefined;
        const f = (...e: tf.Tensor[]) => {
          const batch: Record<string, tf.Tensor> = {};
          names.forEach((n, i) => {
            batch[FIELD[n]!] = e[i]!;
          });
          if (labels) batch[loss.batchKind === 'scored-pairs' ? 'scores' : 'labels'] = labels;
          return loss.compute(batch as LossBatch);
        };
        tf.tidy(() => {
          const { value, grads } = tf.valueAndGrads(f)(xs);
          assertClose(value.dataSync(), [c.loss.data], WASM_TOL, `${file}[${index}] loss`);
          ctx.same(`[${index}] loss`, value.dataSync());
          names.forEach((n, i) => {
            assertClose(grads[i]!.dataSync(), c.grads[n].data, WASM_TOL, `${file}[${index}] d/d${n}`);
            ctx.same(`[${index}] d/d${n}`, grads[i]!.dataSync());
          });
        });
        await tensorLeakCheck(
          () => {
            const { value, grads } = tf.valueAndGrads(f)(xs);
            tf.dispose([value, ...grads]);
          },
          { label: `${file}[${index}]`, iterations: 2 },
        );
        tf.dispose(labels ? [...xs, labels] : xs);
      }
    });
  }

  test('batch-triplet losses: small exact case (one hard triplet per anchor) on wasm', async () => {
    await initBackend();
    // 1-D embeddings 0, 1 (class 0) and 3, 7 (class 1): every distance is exact.
    const embeddings = tf.tensor2d([[0], [1], [3], [7]]);
    const labels = tf.tensor1d([0, 0, 1, 1], 'int32');
    const value = (config: LossConfig) =>
      tf.tidy(() => lossFromConfig(config).compute({ embeddings, labels }).dataSync()[0]!);
    // Hardest positive / negative: anchor 0: 1 / 3, anchor 1: 1 / 2, anchor 3: 4 / 2, anchor 7: 4 / 6.
    // relu(p − n + 1) = 0, 0, 3, 0 → mean 0.75.
    assertClose([value({ type: 'batchHardTriplet', margin: 1 })], [0.75], WASM_TOL, 'batch hard');
    // Valid triplets (a,p,n): every (a,p) pair with both negatives: 8 triplets, relu(d_ap − d_an + 1):
    // 0: (1−3+1)=0,(1−7+1)=0; 1: (1−2+1)=0,(1−6+1)=0; 3: (4−3+1)=2,(4−2+1)=3; 7: (4−7+1)=0,(4−6+1)=0.
    assertClose(
      [value({ type: 'batchAllTriplet', margin: 1 })],
      [2.5],
      WASM_TOL,
      'batch all (mean non-zero)',
    );
    assertClose(
      [value({ type: 'batchAllTriplet', margin: 1, reduction: 'mean' })],
      [5 / 8],
      WASM_TOL,
      'batch all (mean)',
    );
    // Semi-hard: (0,1): negatives farther than 1: {3,7} → 3 → 0; (1,0): {2,6} → 2 → 0;
    // (3,7): none farther than 4 → farthest 3 → 4−3+1 = 2; (7,3): {6,7} → 6 → 0. Mean over 4 pairs: 0.5.
    assertClose([value({ type: 'batchSemiHardTriplet', margin: 1 })], [0.5], WASM_TOL, 'batch semi-hard');
    tf.dispose([embeddings, labels]);
  });

  test('registry and batch errors: E_UNKNOWN_TYPE, E_LOSS_CONFIG, E_LOSS_BATCH', async () => {
    await initBackend();
    assert(registeredLosses().includes('multipleNegativesRanking'), 'built-ins registered');
    await assertThrows(() => lossFromConfig({ type: 'nope' }), 'E_UNKNOWN_TYPE', 'unknown type');
    await assertThrows(
      () => lossFromConfig({ type: 'triplet', margn: 1 }),
      'E_LOSS_CONFIG',
      'misspelt option',
    );
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    const err = await assertThrows(
      () => lossFromConfig({ type: 'contrastive' }).compute({ a, b: a }),
      'E_LOSS_BATCH',
      'missing labels',
    );
    assert(
      err.message.includes('missing labels (given: a, b)'),
      `message names what is missing: ${err.message}`,
    );
    a.dispose();
  });
});
