import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryMetrics } from '../src/eval/binary.js';
import { pearson, ranks, spearman } from '../src/eval/correlation.js';
import { retrievalMetrics } from '../src/eval/retrieval.js';

describe('correlation', () => {
  it('pearson matches a hand computation', () => {
    // x = 1..5, y = 2,4,5,4,5: r = 0.7745966692
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7745966692, 9);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
  it('ranks average ties like scipy.stats.rankdata', () => {
    expect(Array.from(ranks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
  });
  it('spearman with ties: Pearson of averaged ranks (7.25 / 9.5)', () => {
    // ranks x = [1,2.5,2.5,4,5], y = [1,4,2.5,2.5,5]: r = 7.25 / 9.5
    expect(spearman([1, 2, 2, 3, 4], [1, 3, 2, 2, 5])).toBeCloseTo(7.25 / 9.5, 12);
  });
  it('spearman is invariant to monotone transforms', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), {
          minLength: 3,
          maxLength: 40,
        }),
        (rows) => {
          const x = rows.map((r) => r[0]);
          const y = rows.map((r) => r[1]);
          const a = spearman(x, y);
          const b = spearman(
            x.map((v) => v ** 3 + 7),
            y.map((v) => Math.exp(v / 10)),
          );
          return (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) < 1e-9;
        },
      ),
    );
  });
});

describe('binaryMetrics', () => {
  it('finds the best thresholds and AP on a small case', () => {
    const scores = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3];
    const labels = [1, 1, 0, 1, 0, 0];
    const m = binaryMetrics(scores, labels);
    // Threshold between 0.6 and 0.4: 5/6 correct; F1 there = 2·(3/4)·1/(3/4+1) = 6/7.
    expect(m.accuracy).toBeCloseTo(5 / 6, 12);
    expect(m.f1).toBeCloseTo(6 / 7, 12);
    expect(m.threshold).toBeCloseTo(0.5, 12);
    expect(m.precision).toBeCloseTo(0.75, 12);
    expect(m.recall).toBe(1);
    // AP (sklearn): 1/3·1 + 1/3·1 + 1/3·(3/4) = 0.9166…
    expect(m.ap).toBeCloseTo(11 / 12, 12);
    expect(m.n).toBe(6);
  });
  it('perfect separation gives accuracy 1 and AP 1', () => {
    const m = binaryMetrics([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    expect(m.accuracy).toBe(1);
    expect(m.f1).toBe(1);
    expect(m.ap).toBe(1);
    expect(m.threshold).toBeCloseTo(0.5, 12);
  });
});

describe('retrievalMetrics', () => {
  it('computes recall, MRR and nDCG at k', () => {
    const m = retrievalMetrics(
      [
        [3, 1, 2],
        [0, 2, 1],
      ],
      [new Set([1]), new Set([5])],
      2,
    );
    expect(m.recallAtK).toBeCloseTo(0.5, 12);
    expect(m.mrrAtK).toBeCloseTo(0.25, 12);
    expect(m.ndcgAtK).toBeCloseTo(1 / Math.log2(3) / 2, 12);
  });
});
