// Few-shot classification with reject: mean and k-nearest votes, a threshold with a no-match answer, a classifier
// that embeds its examples once, and the calibration of its reject threshold. Hand-checked against similarities
// computed here; real data: STS-B sentences grouped by topic, on the WASM backend.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  classify,
  createModel,
  FewShotClassifier,
  initBackend,
  rejectThreshold,
  type SiameseModel,
  vectorSimilarity,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

const sentences = [
  ...new Set(tsvPairs('stsb/train.tsv', 100_000).flatMap((p) => [p.text1, p.text2])),
] as string[];
let model: SiameseModel;

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
  model = createModel({ preset: 'meanpool', texts: sentences, hidden: 32, embeddingDim: 32, seed: 3 });
});

const examples = [
  { text: 'A dog is running in the grass.', label: 'animals' },
  { text: 'A cat is playing with a toy.', label: 'animals' },
  { text: 'Two dogs are fighting.', label: 'animals' },
  { text: 'A man is playing a guitar.', label: 'music' },
  { text: 'A woman is playing the piano.', label: 'music' },
  { text: 'A man is slicing an onion.', label: 'food' },
];

async function sims(text: string) {
  const [q, ...v] = await model.embed([text, ...examples.map((e) => e.text)]);
  return v.map((x) => vectorSimilarity(q!, x, model.similarity));
}

describe('classify', () => {
  it('mean vote: each label scores the mean of its top-k similarities; the best wins', async () => {
    const text = 'A puppy runs on the lawn.';
    const s = await sims(text);
    const r = await classify(model, text, examples, { k: 2 });
    const top2 = (xs: number[]) => {
      const t = [...xs].sort((a, b) => b - a).slice(0, 2);
      return t.reduce((a, b) => a + b, 0) / t.length;
    };
    const want = { animals: top2(s.slice(0, 3)), music: top2(s.slice(3, 5)), food: s[5]! };
    for (const [label, v] of Object.entries(want)) expect(r.scores[label]).toBeCloseTo(v, 6);
    const winner = Object.entries(want).sort((a, b) => b[1] - a[1])[0]!;
    expect(r).toMatchObject({ label: winner[0], best: winner[0], rejected: false });
    expect(r.score).toBeCloseTo(winner[1], 6);
  });

  it('knn vote: the k nearest examples vote, ties go to the higher summed similarity', async () => {
    const text = 'A man plays the guitar and sings.';
    const s = await sims(text);
    const r = await classify(model, text, examples, { k: 3, vote: 'knn' });
    const nearest = s
      .map((v, i) => ({ v, label: examples[i]!.label }))
      .sort((a, b) => b.v - a.v)
      .slice(0, 3);
    const votes = new Map<string, { n: number; sum: number }>();
    for (const { v, label } of nearest) {
      const e = votes.get(label) ?? { n: 0, sum: 0 };
      votes.set(label, { n: e.n + 1, sum: e.sum + v });
    }
    const [label, { n, sum }] = [...votes].sort((a, b) => b[1].n - a[1].n || b[1].sum - a[1].sum)[0]!;
    expect(r.best).toBe(label);
    expect(r.scores[label]).toBeCloseTo(n / 3, 12);
    expect(r.score).toBeCloseTo(sum / n, 6);
    // k = 1: the single nearest example decides.
    expect((await classify(model, text, examples, { k: 1, vote: 'knn' })).best).toBe(nearest[0]!.label);
  });

  it('threshold and noMatchLabel: under the threshold the text gets the no-match answer', async () => {
    const text = 'The stock market fell sharply today.';
    const open = await classify(model, text, examples);
    const above = await classify(model, text, examples, {
      threshold: open.score - 1e-6,
      noMatchLabel: 'other',
    });
    expect(above).toMatchObject({ label: open.label, rejected: false });
    const under = await classify(model, text, examples, {
      threshold: open.score + 1e-6,
      noMatchLabel: 'other',
    });
    expect(under).toMatchObject({ label: 'other', best: open.label, rejected: true, score: open.score });
    expect((await classify(model, text, examples, { threshold: 2 })).label).toBeNull();
  });

  it('bad options and examples are typed errors', async () => {
    const bad = [
      [examples, { k: 0 }],
      [examples, { vote: 'max' }],
      [examples, { threshold: Number.NaN }],
      [[{ text: 'a' }], {}],
      [[{ text: 'a', label: Number.NaN }], {}],
      [[], {}],
    ] as const;
    for (const [ex, o] of bad)
      await expect(classify(model, 'x', ex as never, o as never)).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
      });
  });
});

describe('FewShotClassifier', () => {
  it('embeds the examples once; each call embeds only its texts and answers as classify', async () => {
    const spy = vi.spyOn(model, 'embedMatrix');
    const c = await FewShotClassifier.create(model, examples, { k: 2, vote: 'knn', noMatchLabel: 'other' });
    expect(spy).toHaveBeenCalledTimes(1);
    const texts = ['A puppy runs.', 'A man plays the piano.', 'Someone is cutting vegetables.'];
    const many = await c.classifyMany(texts);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy.mock.calls[1]![0]).toEqual(texts);
    spy.mockRestore();
    for (const [i, t] of texts.entries()) {
      const one = await classify(model, t, examples, { k: 2, vote: 'knn', noMatchLabel: 'other' });
      expect(many[i]!.best).toBe(one.best);
      expect(many[i]!.score).toBeCloseTo(one.score, 6);
    }
  });

  it('rejectThreshold: hand-checked sweep', () => {
    // Sorted by score: 0.1 unknown, 0.2 wrong, 0.3 unknown, 0.6 right, 0.8 right.
    const rows = [
      { score: 0.8, right: true, unknown: false },
      { score: 0.1, right: false, unknown: true },
      { score: 0.6, right: true, unknown: false },
      { score: 0.3, right: false, unknown: true },
      { score: 0.2, right: false, unknown: false },
    ];
    // No reject: 2/5. Rejecting under 0.15: 3/5; under 0.25: 3/5 (tie keeps 0.15); under 0.45: 4/5 (best).
    const r = rejectThreshold(rows);
    expect(r.threshold).toBeCloseTo(0.45, 12);
    expect({ ...r, threshold: 0.45 }).toEqual({
      threshold: 0.45,
      accuracy: 4 / 5,
      accuracyWithoutReject: 2 / 5,
      rejectRate: 3 / 5,
    });
    // Rejecting never helps: the threshold stays −∞.
    expect(rejectThreshold([{ score: 0.5, right: true, unknown: false }]).threshold).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });

  it('calibrate on STS-B sentences: known topics answered, unknown ones rejected, held out', async () => {
    const topic = (words: string[], label: string) =>
      sentences
        .filter((t) => words.some((w) => new RegExp(`\\b${w}\\b`, 'i').test(t)))
        .map((text) => ({ text, label }));
    const known = [
      ...topic(['dog', 'dogs', 'puppy'], 'dogs').slice(0, 60),
      ...topic(['guitar', 'piano', 'flute'], 'music').slice(0, 60),
      ...topic(['onion', 'potato', 'slicing'], 'cooking').slice(0, 60),
    ];
    const unknown = topic(['president', 'minister', 'government'], 'politics').slice(0, 60);
    const split = (rows: typeof known, part: number) => rows.filter((_, i) => i % 3 === part);
    const shots = split(known, 0);
    const dev = [...split(known, 1), ...split(unknown, 1)];
    const heldOut = [...split(known, 2), ...split(unknown, 2)];
    const c = await FewShotClassifier.create(model, shots, { k: 3, noMatchLabel: 'unknown' });
    const cal = await c.calibrate(dev);
    expect(c.threshold).toBe(cal.threshold);
    expect(cal.accuracy).toBeGreaterThan(cal.accuracyWithoutReject);
    const answers = await c.classifyMany(heldOut.map((r) => r.text));
    const accuracy =
      answers.filter((a, i) => a.label === (heldOut[i]!.label === 'politics' ? 'unknown' : heldOut[i]!.label))
        .length / heldOut.length;
    // Without reject every politics sentence is wrong: at most 60 of 80 held-out rows right.
    const noReject = answers.filter((a, i) => a.best === heldOut[i]!.label).length / heldOut.length;
    expect(accuracy).toBeGreaterThan(noReject);
  }, 600_000);
});
