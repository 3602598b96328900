import { tensorLeakCheck } from '@siamese/backend';
import { lossFromConfig } from '@siamese/losses';
import { createModel, fit, initBackend, modelFromBytes, modelToBytes } from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { assert, assertClose, assertEqual, assertThrows, defineSuite } from '../harness.js';
import { TRAIN } from '../user-extensions.js';

const PROBE = ['a man plays a guitar', 'an unseen zyzzyva sentence', ''];

/** Values recorded on Node for seed 42: every runtime must compute the same model (WASM + the seeded PRNG). */
const EXPECTED_FIRST = [0.48207688331604004, 0.33153143525123596, 0.43277236819267273, 0.3351597189903259];

export default defineSuite('runtime', (test) => {
  test('a seeded CNN trains on WASM; save → load gives identical embeddings; the numbers match Node', async () => {
    await initBackend();
    const model = createModel({
      preset: 'cnn',
      texts: TRAIN.flatMap((p) => [p.text1, p.text2]),
      hidden: 8,
      embeddingDim: 8,
      seed: 42,
    });
    const result = await fit(model, TRAIN, {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 3,
      batchSize: 4,
      lr: 0.01,
      seed: 42,
    });
    assertEqual(tf.getBackend(), 'wasm', 'trained on');
    assert(
      result.history[2]!.loss < result.history[0]!.loss,
      `loss went down: ${result.history.map((h) => h.loss)}`,
    );
    const before = await model.embed(PROBE);
    const bytes = await modelToBytes(model);
    const loaded = await modelFromBytes(bytes);
    const after = await loaded.embed(PROBE);
    for (let i = 0; i < PROBE.length; i++)
      assertClose(after[i], before[i], 0, `embedding ${i} after save → load`);
    assertClose(
      before[0]!.slice(0, 4),
      EXPECTED_FIRST,
      1e-4,
      'embedding of the probe sentence (recorded on Node)',
    );
    await tensorLeakCheck(() => loaded.embed(PROBE), { label: 'embed', iterations: 3 });
    const altered = bytes.slice();
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 1;
    await assertThrows(() => modelFromBytes(altered), 'E_MODEL_CHECKSUM', 'altered weights');
    await assertThrows(
      () => modelFromBytes(bytes.subarray(0, bytes.length - 4)),
      'E_MODEL_TRUNCATED',
      'truncated file',
    );
    model.dispose();
    loaded.dispose();
  });
});
