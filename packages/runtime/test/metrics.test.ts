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

  it('tied scores count as one threshold, as sklearn.metrics.average_precision_score does', () => {
    // A positive and a negative tied at 0.8: both enter at once (P 1/2, R 1/2), so the order they are given in
    // does not matter. sklearn's definition, Σ (Rₙ − Rₙ₋₁)·Pₙ over the distinct thresholds: 0.5·0.5 + 0.5·(2/3).
    const expected = 0.5 * 0.5 + 0.5 * (2 / 3);
    expect(binaryMetrics([0.8, 0.8, 0.6, 0.3], [1, 0, 1, 0]).ap).toBeCloseTo(expected, 12);
    expect(binaryMetrics([0.8, 0.8, 0.6, 0.3], [0, 1, 1, 0]).ap).toBeCloseTo(expected, 12);
    // Everything tied: one threshold, precision = the positive rate.
    expect(binaryMetrics([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 0]).ap).toBeCloseTo(0.25, 12);
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

  it('several relevant documents per query: recall is the share found, nDCG against the ideal order', () => {
    // Relevant {4, 7, 9}; top-3 ranking [4, 2, 9]: hits at ranks 1 and 3.
    const m = retrievalMetrics([[4, 2, 9, 7]], [new Set([4, 7, 9])], 3);
    expect(m.recallAtK).toBeCloseTo(2 / 3, 12);
    expect(m.mrrAtK).toBe(1);
    const dcg = 1 + 1 / Math.log2(4);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(m.ndcgAtK).toBeCloseTo(dcg / idcg, 12);
    // More relevant documents than k: the ideal fills all k slots.
    const full = retrievalMetrics([[1, 2]], [new Set([1, 2, 3])], 2);
    expect(full.ndcgAtK).toBeCloseTo(1, 12);
    expect(full.recallAtK).toBeCloseTo(2 / 3, 12);
  });
});
