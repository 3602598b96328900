// The program every runtime runs on the SDK installed from its tarballs (see scripts/test-tarballs.mjs). It gets
// the SDK module (ESM import or CommonJS require), so it imports nothing itself:
// 1. using the SDK before initBackend() must throw E_BACKEND_NOT_READY;
// 2. train a small model with a fixed seed, measure it on dev, embed fixed probe sentences;
// 3. embed them again with the reference model Node saved (its own bytes when there is none yet).

/** Sentences every runtime embeds; the harness compares the vectors with Node's. */
export const PROBES = [
  'A man is playing a guitar.',
  'A woman is slicing an onion.',
  'Two dogs are running through a field.',
  'The stock market fell sharply today.',
  'Someone is frying eggs in a pan.',
  'A child rides a bicycle down the street.',
];

/** The training recipe; the CLI run of the harness uses the same flags. */
export const RECIPE = {
  preset: 'meanpool',
  loss: 'cosent',
  hidden: 32,
  seed: 7,
  epochs: 2,
  batchSize: 32,
  lr: 1e-3,
};

/**
 * @param {any} sdk the `@siamese/sdk` module
 * @param {{ train: any[], dev: any[], reference?: Uint8Array, backend?: string }} data scored pairs (scores in
 *   [0, 1]), the reference model's bytes, and the backend (default wasm)
 */
export async function run(sdk, { train, dev, reference, backend }) {
  let notReady = 'no error';
  try {
    sdk.createModel({ preset: 'meanpool', texts: ['a man plays'] });
  } catch (e) {
    notReady = e instanceof sdk.SiameseError ? e.code : `not a SiameseError: ${e}`;
  }
  const info = await sdk.initBackend(backend ? { backend } : {});
  const model = sdk.createModel({
    preset: RECIPE.preset,
    texts: train.flatMap((p) => [p.text1, p.text2]),
    hidden: RECIPE.hidden,
    seed: RECIPE.seed,
  });
  const result = await sdk.fit(model, train, {
    loss: sdk.lossFromConfig({ type: RECIPE.loss }),
    epochs: RECIPE.epochs,
    batchSize: RECIPE.batchSize,
    lr: RECIPE.lr,
    seed: RECIPE.seed,
    dev,
  });
  const { spearman } = await sdk.evaluate(model, dev);
  const trained = Array.from(await model.embedMatrix(PROBES));
  const bytes = await sdk.modelToBytes(model);
  const loadedModel = await sdk.loadModel(reference ?? bytes);
  const loaded = Array.from(await loadedModel.embedMatrix(PROBES));
  loadedModel.dispose();
  model.dispose();
  return {
    report: { backend: info.name, notReady, spearman, epochs: result.epochsRun, trained, loaded },
    bytes,
  };
}
