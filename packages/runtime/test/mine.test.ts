// mineHardNegatives: the candidates, exclusions, range and margins, checked against a brute-force ranking with
// the model's own similarity; and the triplets it mines train MNRL.
import { lossFromConfig } from '@siamese/losses';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createModel,
  fit,
  initBackend,
  mineHardNegatives,
  type SiameseModel,
  similarity,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

const pairs = tsvPairs('stsb/train.tsv', 300);
const positives = pairs.filter((p) => p.score >= 0.8);
let model: SiameseModel;

beforeAll(async () => {
  await initBackend();
  model = createModel({
    preset: 'meanpool',
    texts: pairs.flatMap((p) => [p.text1, p.text2]),
    hidden: 16,
    embeddingDim: 16,
    seed: 3,
  });
  await fit(model, pairs, { loss: lossFromConfig({ type: 'cosine' }), epochs: 2, lr: 1e-2 });
});

/** Every corpus text ranked for `anchor` by the model, best first, without the anchor and its positives. */
async function bruteForce(anchor: string, corpus: readonly string[]) {
  const skip = new Set([anchor, ...positives.filter((p) => p.text1 === anchor).map((p) => p.text2)]);
  const scored = await Promise.all(
    corpus.filter((t) => !skip.has(t)).map(async (t) => ({ t, s: await similarity(model, anchor, t) })),
  );
  return scored.sort((a, b) => b.s - a.s);
}

describe('mineHardNegatives', () => {
  it('takes the most similar corpus texts that are not the anchor or one of its positives', async () => {
    const corpus = [...new Set(positives.map((p) => p.text2))];
    const mined = await mineHardNegatives(model, pairs, { k: 2 });
    expect(mined.report).toMatchObject({ pairs: positives.length, mined: positives.length });
    expect(mined.length).toBe(2 * positives.length);
    for (const p of positives.slice(0, 8)) {
      const want = (await bruteForce(p.text1, corpus)).slice(0, 2).map((x) => x.t);
      const got = mined.filter((t) => t.anchor === p.text1 && t.positive === p.text2).map((t) => t.negative);
      expect(got).toEqual(want);
    }
  });

  it('range skips the top candidates; margins keep only negatives clearly below the positive', async () => {
    const corpus = pairs.map((p) => p.text2);
    const p = positives[0]!;
    const ranked = await bruteForce(p.text1, [...new Set(corpus)]);
    const skipped = await mineHardNegatives(model, [p], { corpus, range: [3, 10] });
    expect(skipped.map((t) => t.negative)).toEqual([ranked[3]!.t]);
    const positive = await similarity(model, p.text1, p.text2);
    const absolute = await mineHardNegatives(model, positives, { corpus, margin: 0.1, k: 3 });
    const relative = await mineHardNegatives(model, positives, { corpus, margin: 0.1, relative: true, k: 3 });
    for (const t of absolute.filter((x) => x.anchor === p.text1))
      expect(await similarity(model, t.anchor, t.negative)).toBeLessThanOrEqual(positive - 0.1 + 1e-6);
    for (const t of relative.filter((x) => x.anchor === p.text1))
      expect(await similarity(model, t.anchor, t.negative)).toBeLessThanOrEqual(positive * 0.9 + 1e-6);
    // A margin larger than any gap leaves a pair out and says so.
    const none = await mineHardNegatives(model, [p], { corpus, margin: 3 });
    expect(none.length).toBe(0);
    expect(none.report).toMatchObject({ pairs: 1, mined: 0 });
  });

  it('bad options are E_INVALID_ARGUMENT naming the option', async () => {
    await expect(mineHardNegatives(model, pairs, { range: [5, 5] })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: 'mineHardNegatives: range must be [from, to) with 0 ≤ from < to, found [5, 5]',
    });
    await expect(mineHardNegatives(model, pairs, { k: 0 })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: 'mineHardNegatives: k must be a whole number ≥ 1, found 0',
    });
    await expect(mineHardNegatives(model, [{ text1: 'a', text2: 'b', label: 0 }])).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: 'mineHardNegatives: the corpus is empty (no positive pairs and no options.corpus)',
    });
  });

  it('mined triplets feed MNRL as hard negatives', async () => {
    const mined = await mineHardNegatives(model, pairs, { range: [2, 20] });
    const student = createModel({
      preset: 'meanpool',
      texts: pairs.flatMap((p) => [p.text1, p.text2]),
      hidden: 16,
      embeddingDim: 16,
      seed: 4,
    });
    const r = await fit(student, mined, {
      loss: lossFromConfig({ type: 'mnrl' }),
      epochs: 3,
      batchSize: 16,
      lr: 1e-2,
    });
    expect(r.history[2]!.loss).toBeLessThan(r.history[0]!.loss);
    student.dispose();
  });
});
