// Type-checked (tsc --strict) against the types in the tarballs: the documented flow, with no casts.
import { createModel, evaluate, fit, initBackend, lossFromConfig } from '@siamese/sdk';
import { readPairsFile } from '@siamese/sdk/node';

await initBackend();
const { pairs: train } = await readPairsFile('data/train.tsv.gz', { normalizeScores: { from: [0, 5] } });
const { pairs: dev } = await readPairsFile('data/dev.tsv.gz', { normalizeScores: { from: [0, 5] } });
const model = createModel({ preset: 'meanpool', texts: train.flatMap((p) => [p.text1, p.text2]) });
// biome-ignore lint/suspicious/noFocusedTests: fit() trains the model; this is no test file
await fit(model, train, { loss: lossFromConfig({ type: 'coSENT' }), epochs: 1, dev });
const spearman: number = (await evaluate(model, dev)).spearman; // scored records → correlation metrics
console.log(spearman);
