import { initBackend } from '@siamese/backend';
import { lossFromConfig } from '@siamese/losses';
import { fit, modelFromBytes, modelToBytes, type SiameseModel } from '@siamese/runtime';
import { assert, assertClose, assertEqual, assertThrows, defineSuite } from '../harness.js';
import { PROBE, registerUserExtensions, TRAIN } from '../user-extensions.js';

interface SavedModel {
  bytes: string;
  embeddings: number[][];
  loss: { type: string; [k: string]: unknown };
  similarity: string;
}

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** The manifest of a single-file model (container 2): its JSON starts at byte 56, its length is at byte 12. */
const manifestOf = (bytes: Uint8Array) => {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(56, 56 + length)));
};

export default defineSuite('extensions', (test) => {
  test('a custom step, encoder and loss from user code survive save (Node) → load in this fresh process', async (ctx) => {
    await initBackend();
    const saved = (await ctx.saved('user-extensions')) as Record<'step' | 'encoder', SavedModel>;
    // A fresh process knows none of them yet: loading says which type is missing and which call registers it.
    const missing = await assertThrows(
      () => modelFromBytes(bytesOf(saved.step.bytes)),
      'E_UNKNOWN_TYPE',
      'before registering',
    );
    assert(
      missing.message.includes('"attentionPooling" is not registered') &&
        missing.message.includes('registerStep('),
      `the error names the step and registerStep: ${missing.message}`,
    );
    await assertThrows(
      () => modelFromBytes(bytesOf(saved.encoder.bytes)),
      'E_UNKNOWN_TYPE',
      'custom encoder',
    );
    await assertThrows(() => lossFromConfig(saved.step.loss), 'E_UNKNOWN_TYPE', 'custom loss');
    registerUserExtensions();
    for (const name of ['step', 'encoder'] as const) {
      const file = saved[name];
      const model: SiameseModel = await modelFromBytes(bytesOf(file.bytes));
      try {
        assertClose(await model.embed(PROBE), file.embeddings, 1e-5, `${name}: embeddings after the load`);
        assertEqual(model.loss, { type: 'cosineL1', weight: 2 }, `${name}: the loss config`);
        assertEqual(model.similarity, 'cosine', `${name}: the similarity the custom loss declared`);
        // Saving again gives the same weights and config: the model round-trips, not just loads.
        const again = manifestOf(await modelToBytes(model));
        const original = manifestOf(bytesOf(file.bytes));
        assertEqual(again.weights.sha256, original.weights.sha256, `${name}: the weights saved again`);
        assertEqual(again.encoder, original.encoder, `${name}: the encoder config saved again`);
        // Training goes on with the loss rebuilt from the loaded model's config.
        const loss = lossFromConfig(model.loss!);
        assertEqual(loss.type, 'cosineL1', `${name}: rebuilt loss`);
        const r = await fit(model, TRAIN, { loss, epochs: 1, batchSize: 4, lr: 0.01, seed: 1 });
        assert(Number.isFinite(r.history[0]!.loss), `${name}: trains on after the load`);
      } finally {
        model.dispose();
      }
    }
  });
});
