import { Rng } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopK } from '../src/infer/top-k.js';
import { VectorIndex } from '../src/infer/vector-index.js';
import { vectorSimilarity } from '../src/infer/vector-similarity.js';
import { learningRateAt } from '../src/train/schedule.js';

describe('VectorIndex', () => {
  it('returns the nearest vectors by cosine, best first, with texts', () => {
    const index = new VectorIndex(2, { capacity: 1 });
    index.add(Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0]), ['east', 'north', 'north-east', 'west']);
    const hits = index.search(Float32Array.from([2, 1.9]), 2);
    expect(hits.map((h) => h.text)).toEqual(['north-east', 'east']);
    expect(hits[0]!.score).toBeCloseTo((2 + 1.9) / Math.sqrt(2) / Math.hypot(2, 1.9), 6);
    expect(VectorIndex.fromJSON(index.toJSON()).search(Float32Array.from([-1, 0]), 1)[0]!.text).toBe('west');
  });

  it('TopK agrees with a full sort: the same entries (indices and scores), ties to the lower index', () => {
    // Few distinct values (many ties, ±0 among them) as well as arbitrary floats.
    const score = fc.oneof(
      fc.float({ noNaN: true, min: -1e6, max: 1e6 }),
      fc.constantFrom(0, -0, 1, -1, 0.5, Number.MIN_VALUE),
    );
    fc.assert(
      fc.property(
        fc.array(score, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        (vals, k) => {
          const top = new TopK(Math.min(k, vals.length));
          vals.forEach((v, i) => {
            top.push(i, v);
          });
          const expected = vals
            .map((v, i) => [i, v] as [number, number])
            .sort((a, b) => b[1] - a[1] || a[0] - b[0])
            .slice(0, k);
          // Same indices means the same entries: a score's sign (0 vs -0) comes with its index.
          expect(top.sorted()).toEqual(expected);
        },
      ),
    );
  });

  it('TopK keeps the lower index among tied scores (the ±0 case the property used to trip on)', () => {
    for (const [vals, k, want] of [
      [[0, -0, 1], 2, [2, 0]],
      [[5, 5, 7], 2, [2, 0]],
      [[1, 1, 1, 1], 3, [0, 1, 2]],
      [[-0, 0, Number.MIN_VALUE], 2, [2, 0]],
    ] as const) {
      const top = new TopK(k);
      vals.forEach((v, i) => {
        top.push(i, v);
      });
      expect(top.sorted().map(([i]) => i)).toEqual(want);
    }
  });

  it('search over random data equals brute force', () => {
    const rng = new Rng(3);
    const index = new VectorIndex(8);
    const data = rng.fillNormal(new Float32Array(8 * 300));
    index.add(data);
    const q = rng.fillNormal(new Float32Array(8));
    const brute = Array.from({ length: 300 }, (_, i) => {
      const v = data.subarray(i * 8, i * 8 + 8);
      let dot = 0;
      let n = 0;
      let qn = 0;
      for (let j = 0; j < 8; j++) {
        dot += v[j]! * q[j]!;
        n += v[j]! ** 2;
        qn += q[j]! ** 2;
      }
      return [i, dot / Math.sqrt(n * qn)] as const;
    }).sort((a, b) => b[1] - a[1]);
    expect(index.search(q, 5).map((h) => h.index)).toEqual(brute.slice(0, 5).map((b) => b[0]));
  });

  it('vectorSimilarity has exact values for each similarity (3-4-5 vectors; a zero vector gives cos 0)', () => {
    const a = [3, 4];
    const b = [0, 8];
    expect(vectorSimilarity(a, b, 'cosine')).toBe(32 / 40);
    expect(vectorSimilarity(a, b, 'dot')).toBe(32);
    expect(vectorSimilarity(a, b, 'euclidean')).toBe(-5);
    expect(vectorSimilarity(a, b, 'manhattan')).toBe(-7);
    expect(vectorSimilarity(a, [0, 0], 'cosine')).toBe(0);
    expect(vectorSimilarity(a, a, 'euclidean')).toBe(-0);
  });

  it.each(['dot', 'euclidean', 'manhattan'] as const)(
    'a %s index ranks by that similarity (not by cosine) and keeps it through JSON',
    (similarity) => {
      const rng = new Rng(4);
      const data = rng.fillNormal(new Float32Array(8 * 200));
      // Rows of very different lengths: the similarities disagree about the order.
      for (let i = 0; i < 200; i++) for (let j = 0; j < 8; j++) data[i * 8 + j]! *= 1 + (i % 7);
      const index = new VectorIndex(8, { similarity });
      index.add(data);
      const q = rng.fillNormal(new Float32Array(8));
      const ranked = (s: Similarity) =>
        Array.from(
          { length: 200 },
          (_, i) => [i, vectorSimilarity(data.subarray(i * 8, i * 8 + 8), q, s)] as const,
        )
          .sort((a, b) => b[1] - a[1] || a[0] - b[0])
          .slice(0, 10)
          .map(([i]) => i);
      expect(ranked(similarity)).not.toEqual(ranked('cosine')); // the check below can tell them apart
      expect(index.search(q, 10).map((h) => h.index)).toEqual(ranked(similarity));
      const again = VectorIndex.fromJSON(JSON.parse(JSON.stringify(index)));
      expect(again.similarity).toBe(similarity);
      expect(again.search(q, 10).map((h) => h.index)).toEqual(ranked(similarity));
    },
  );
});

describe('learning-rate schedules', () => {
  it('warm up linearly, then decay linearly or by cosine to zero', () => {
    const lin = { type: 'warmupLinear', warmupSteps: 10 } as const;
    expect(learningRateAt(lin, 1, 0, 110)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(lin, 1, 9, 110)).toBeCloseTo(1, 12);
    expect(learningRateAt(lin, 1, 60, 110)).toBeCloseTo(0.5, 12);
    const cos = { type: 'warmupCosine', warmupSteps: 0 } as const;
    expect(learningRateAt(cos, 2, 50, 100)).toBeCloseTo(1, 12);
    expect(learningRateAt(cos, 2, 100, 100)).toBeCloseTo(0, 12);
    expect(learningRateAt({ type: 'constant' }, 0.3, 77, 100)).toBe(0.3);
  });
});
