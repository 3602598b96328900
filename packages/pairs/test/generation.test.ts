import { describe, expect, it } from 'vitest';
import {
  dedupePairs,
  epochSeed,
  normalizeScores,
  normalizeText,
  observedScoreRange,
  pairsFromLabels,
  symmetricPairs,
  tripletsFromLabels,
} from '../src/index.js';

describe('scores and augmentation', () => {
  it('observedScoreRange finds the integer range scores were given on', () => {
    const of = (scores: (number | undefined)[]) => observedScoreRange(scores.map((score) => ({ score })));
    expect(of([0, 3.8, 5])).toEqual([0, 5]); // STS-B
    expect(of([1.2, 4.5, 3])).toEqual([1, 5]); // SICK
    expect(of([0, 0.35, 1])).toEqual([0, 1]); // already normalised
    expect(of([2, 2])).toBeNull();
    expect(of([1, undefined])).toBeNull();
  });

  it('normalizeScores maps STS 0–5 and SICK 1–5 to 0–1', () => {
    const sts = normalizeScores(
      [
        { text1: 'a', text2: 'b', score: 5, line: 2 },
        { text1: 'c', text2: 'd', score: 2, line: 3 },
        { text1: 'e', text2: 'f', line: 4 },
      ],
      { from: [0, 5] },
    );
    expect(sts).toEqual([
      { text1: 'a', text2: 'b', score: 1, line: 2 },
      { text1: 'c', text2: 'd', score: 0.4, line: 3 },
      { text1: 'e', text2: 'f', line: 4 },
    ]);
    expect(
      normalizeScores([{ score: 1 }, { score: 3 }, { score: 5 }], { from: [1, 5] }).map((p) => p.score),
    ).toEqual([0, 0.5, 1]);
    expect(normalizeScores([{ score: 6 }], { from: [1, 5], to: [-1, 1], clamp: true })[0]?.score).toBe(1);
    expect(() => normalizeScores([], { from: [5, 5] })).toThrow(/from\[0\] < from\[1\]/);
  });

  it('symmetricPairs appends swapped copies', () => {
    expect(symmetricPairs([{ text1: 'a', text2: 'b', score: 0.5 }])).toEqual([
      { text1: 'a', text2: 'b', score: 0.5 },
      { text1: 'b', text2: 'a', score: 0.5 },
    ]);
  });

  it('normalizeText: NFKC, lower-case, collapsed white space', () => {
    expect(normalizeText('  Ｈｅｌｌｏ\t\nWORLD  ﬁne ')).toBe('hello world fine');
  });

  it('dedupePairs: exact, order-insensitive, normalised', () => {
    const p = [
      { text1: 'A', text2: 'b' },
      { text1: 'A', text2: 'b' },
      { text1: 'b', text2: 'A' },
      { text1: 'a ', text2: 'B' },
    ];
    expect(dedupePairs(p).removed).toBe(1);
    expect(dedupePairs(p, { orderInsensitive: true }).pairs).toEqual([p[0], p[3]]);
    expect(dedupePairs(p, { orderInsensitive: true, normalize: normalizeText })).toEqual({
      pairs: [p[0]],
      removed: 3,
    });
    // The key cannot be fooled by texts that concatenate alike.
    expect(
      dedupePairs([
        { text1: 'ab', text2: 'c' },
        { text1: 'a', text2: 'bc' },
      ]).removed,
    ).toBe(0);
  });
});

describe('epochSeed', () => {
  it('is a fixed 32-bit hash of (seed, epoch)', () => {
    expect([epochSeed(42, 0), epochSeed(42, 1), epochSeed(0, 0)]).toEqual([230039903, 149712762, 3264652883]);
    expect(() => epochSeed(1, -1)).toThrow(TypeError);
  });
});

describe('pairs and triplets from labelled texts', () => {
  const items = [
    { text: 'a', label: 'x' },
    { text: 'b', label: 'x' },
    { text: 'c', label: 'y' },
    { text: 'd', label: 'y' },
    { text: 'e', label: 'z' },
  ];

  it('pairsFromLabels: exact seeded output', () => {
    expect(pairsFromLabels(items, { seed: 5 })).toEqual([
      { text1: 'a', text2: 'b', label: 1, indices: [0, 1] },
      { text1: 'e', text2: 'a', label: 0, indices: [4, 0] },
      { text1: 'b', text2: 'e', label: 0, indices: [1, 4] },
      { text1: 'd', text2: 'c', label: 1, indices: [3, 2] },
      { text1: 'c', text2: 'e', label: 0, indices: [2, 4] },
    ]);
    expect(pairsFromLabels(items, { seed: 5, epoch: 1 })).not.toEqual(pairsFromLabels(items, { seed: 5 }));
  });

  it('tripletsFromLabels: exact seeded output; the singleton is used as a negative', () => {
    expect(tripletsFromLabels(items, { seed: 5 }).map((t) => t.indices)).toEqual([
      [0, 1, 4],
      [1, 0, 2],
      [3, 2, 1],
      [2, 3, 4],
    ]);
    expect(tripletsFromLabels(items, { seed: 5 })[0]).toEqual({
      anchor: 'a',
      positive: 'b',
      negative: 'e',
      indices: [0, 1, 4],
    });
  });

  it('on a larger set: balanced, valid, every text used once as first text', () => {
    const big = Array.from({ length: 1000 }, (_, i) => ({ text: `t${i}`, label: i % 7 }));
    for (const frac of [0.5, 0.25]) {
      const pairs = pairsFromLabels(big, { seed: 1, epoch: 3, positiveFraction: frac });
      expect(pairs.filter((p) => p.label === 1).length).toBe(Math.round(1000 * frac));
      expect(new Set(pairs.map((p) => p.indices[0])).size).toBe(1000);
      for (const p of pairs) {
        const [i, j] = p.indices;
        expect(i).not.toBe(j);
        expect(big[i]!.label === big[j]!.label).toBe(p.label === 1);
      }
    }
    const trips = tripletsFromLabels(big, { seed: 2 });
    expect(trips.length).toBe(1000);
    for (const {
      indices: [a, p, n],
    } of trips) {
      expect(a).not.toBe(p);
      expect(big[a]!.label).toBe(big[p]!.label);
      expect(big[n]!.label).not.toBe(big[a]!.label);
    }
  });

  it('rejects impossible inputs', () => {
    expect(() => pairsFromLabels([{ text: 'a', label: 1 }], { seed: 1 })).toThrow(
      'pairsFromLabels: expected at least 2 items, found 1',
    );
    // Two items are enough: one pair each.
    expect(
      pairsFromLabels(
        [
          { text: 'a', label: 1 },
          { text: 'b', label: 2 },
        ],
        { seed: 1 },
      ).map((p) => p.label),
    ).toEqual([0, 0]);
    for (const positiveFraction of [-0.1, 1.5, Number.NaN]) {
      expect(() => pairsFromLabels(items, { seed: 1, positiveFraction })).toThrow(
        expect.objectContaining({
          code: 'E_INVALID_ARGUMENT',
          message: `pairsFromLabels: positiveFraction must be in [0, 1], found ${positiveFraction}`,
        }),
      );
    }
    expect(() => tripletsFromLabels(items.slice(0, 2), { seed: 1 })).toThrow(/at least 2 classes/);
    expect(() => pairsFromLabels([{ text: 1, label: 1 }] as never, { seed: 1 })).toThrow(TypeError);
  });
});
