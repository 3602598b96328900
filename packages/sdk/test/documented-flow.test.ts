// The flow the README and docs/training.md document, as a user writes it: a file reader → fit(model, train,
// { dev }) → evaluate(model, dev).spearman. It must compile without a cast (this file is type-checked by
// `npm run lint`) and train a model that beats its untrained self.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createModel, evaluate, fit, initBackend, lossFromConfig } from '../src/index.js';
import { readPairsFile } from '../src/node.js';

const data = (path: string) => fileURLToPath(new URL(`../../../datasets/${path}`, import.meta.url));

describe('the documented flow', () => {
  it('reads typed records, trains with them as dev data, and evaluates to .spearman without casts', async () => {
    await initBackend();
    const { pairs: train } = await readPairsFile(data('stsb/train.tsv.gz'), { require: 'score' });
    const { pairs: dev } = await readPairsFile(data('stsb/dev.tsv.gz'), { require: 'score' });
    const small = train.slice(0, 600);
    const devSmall = dev.slice(0, 400);
    const model = createModel({
      texts: small.flatMap((p) => [p.text1, p.text2]),
      hidden: 32,
      embeddingDim: 32,
      seed: 1,
    });
    const untrained = (await evaluate(model, devSmall)).spearman;
    const result = await fit(model, small, {
      loss: lossFromConfig({ type: 'coSENT' }),
      epochs: 3,
      dev: devSmall,
      seed: 1,
    });
    const trained = (await evaluate(model, devSmall)).spearman;
    expect(result.history.every((h) => typeof h.metric === 'number')).toBe(true);
    expect(model.loss?.type).toBe('coSENT');
    console.log(`documented flow: dev Spearman ${untrained.toFixed(3)} untrained → ${trained.toFixed(3)}`);
    expect(trained).toBeGreaterThan(untrained + 0.1);
    model.dispose();
  });
});
