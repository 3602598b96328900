import { SiameseError } from '@siamese/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BucketSampler,
  batchItems,
  collectBatches,
  MPerClassSampler,
  NoDuplicatesSampler,
  paddingStats,
  RandomSampler,
  type Sampler,
} from '../src/index.js';
import { readPairsFile } from '../src/node.js';
import { dataDir } from './helpers.js';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const pairs = [
  ['a', 'b'],
  ['a', 'c'],
  ['b', 'c'],
  ['d', 'e'],
  ['f', 'g'],
  ['h', 'a'],
  ['i', 'j'],
  ['k', 'l'],
].map(([text1, text2]) => ({ text1: text1!, text2: text2! }));

describe('exact seeded batches (the cross-runtime contract)', () => {
  it('RandomSampler', () => {
    expect(collectBatches(new RandomSampler({ size: 10, batchSize: 4, seed: 42 }), 0)).toEqual([
      [9, 8, 2, 7],
      [6, 0, 1, 4],
      [3, 5],
    ]);
    const s = new RandomSampler({ size: 10, batchSize: 4, seed: 42, dropLast: true });
    expect(collectBatches(s, 1)).toEqual([
      [8, 6, 5, 1],
      [0, 7, 2, 3],
    ]);
    expect(s.batchCount).toBe(2);
    expect(collectBatches(new RandomSampler({ size: 5, batchSize: 2, seed: 1, shuffle: false }), 9)).toEqual([
      [0, 1],
      [2, 3],
      [4],
    ]);
  });

  it('NoDuplicatesSampler', () => {
    const s = NoDuplicatesSampler.fromPairs(pairs, { batchSize: 3, seed: 7 });
    expect(collectBatches(s, 0)).toEqual([[6, 2, 3], [5, 7, 4], [1], [0]]);
    expect(
      collectBatches(NoDuplicatesSampler.fromPairs(pairs, { batchSize: 3, seed: 7, dropLast: true }), 0),
    ).toEqual([
      [6, 2, 3],
      [5, 7, 4],
    ]);
  });

  it('MPerClassSampler', () => {
    const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3];
    expect(collectBatches(new MPerClassSampler({ labels, m: 2, batchSize: 4, seed: 3 }), 0)).toEqual([
      [8, 5, 1, 0],
      [2, 1, 3, 4],
      [9, 9, 7, 6],
    ]);
  });

  it('BucketSampler', () => {
    const lengths = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 11, 12];
    const s = new BucketSampler({ lengths, batchSize: 3, bucketSize: 2, seed: 1 });
    expect(collectBatches(s, 0)).toEqual([
      [0, 10, 11],
      [1, 5, 3],
      [7, 8, 4],
      [6, 2, 9],
    ]);
    const viaFn = new BucketSampler({
      lengths: (i) => lengths[i]!,
      size: 12,
      batchSize: 3,
      bucketSize: 2,
      seed: 1,
    });
    expect(collectBatches(viaFn, 0)).toEqual(collectBatches(s, 0));
  });

  it('epochs differ, and the same epoch repeats', () => {
    const s = new RandomSampler({ size: 50, batchSize: 8, seed: 9 });
    expect(collectBatches(s, 4)).toEqual(collectBatches(s, 4));
    expect(collectBatches(s, 4)).not.toEqual(collectBatches(s, 5));
  });

  it('batchItems maps indices to items', () => {
    const s = new RandomSampler({ size: 3, batchSize: 2, seed: 1, shuffle: false });
    expect([...batchItems(s.epoch(0), ['x', 'y', 'z'])]).toEqual([['x', 'y'], ['z']]);
  });
});

function coverage(s: Sampler, epoch: number): number[] {
  return sorted(collectBatches(s, epoch).flat());
}

describe('properties (fast-check)', () => {
  it('RandomSampler and BucketSampler cover every example exactly once', () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.integer({ min: 1, max: 17 }),
        fc.integer(),
        fc.integer({ min: 1, max: 4 }),
        (n, bs, seed, bucket) => {
          expect(coverage(new RandomSampler({ size: n, batchSize: bs, seed }), 0)).toEqual(range(n));
          const lengths = Array.from({ length: n }, (_, i) => (i * 7919) % 23);
          const b = new BucketSampler({ lengths, batchSize: bs, seed, bucketSize: bucket });
          expect(coverage(b, 1)).toEqual(range(n));
          for (const batch of b.epoch(2)) expect(batch.length).toBeLessThanOrEqual(bs);
          const dropped = collectBatches(
            new BucketSampler({ lengths, batchSize: bs, seed, bucketSize: bucket, dropLast: true }),
            0,
          );
          for (const batch of dropped) expect(batch.length).toBe(bs);
          expect(dropped.length).toBe(Math.floor(n / bs));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('NoDuplicatesSampler covers every example once and never repeats a text in a batch', () => {
    const text = fc.integer({ min: 0, max: 30 }).map((i) => `t${i}`);
    fc.assert(
      fc.property(
        fc.array(fc.record({ text1: text, text2: text }), { maxLength: 80 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer(),
        fc.nat(3),
        (ps, bs, seed, epoch) => {
          const s = NoDuplicatesSampler.fromPairs(ps, { batchSize: bs, seed });
          const batches = collectBatches(s, epoch);
          expect(sorted(batches.flat())).toEqual(range(ps.length));
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0);
            expect(b.length).toBeLessThanOrEqual(bs);
            const seen = new Set<string>();
            for (const i of b) {
              const p = ps[i]!;
              expect(seen.has(p.text1)).toBe(false);
              expect(seen.has(p.text2)).toBe(false);
              seen.add(p.text1);
              seen.add(p.text2);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('MPerClassSampler covers every example; batches hold m of each of batchSize/m distinct classes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 120 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (labels, m, classesPerBatch, seed) => {
          const classes = new Set(labels).size;
          fc.pre(labels.length > 0 && classes >= classesPerBatch);
          const s = new MPerClassSampler({ labels, m, batchSize: m * classesPerBatch, seed });
          const batches = collectBatches(s, 0);
          expect(new Set(batches.flat())).toEqual(new Set(range(labels.length)));
          for (const b of batches) {
            const count = new Map<number, number>();
            for (const i of b) count.set(labels[i]!, (count.get(labels[i]!) ?? 0) + 1);
            for (const c of count.values()) expect(c).toBe(m);
            expect(count.size).toBeLessThanOrEqual(classesPerBatch);
          }
          // With dropLast every batch is full: exactly classesPerBatch classes.
          const full = collectBatches(
            new MPerClassSampler({ labels, m, batchSize: m * classesPerBatch, seed, dropLast: true }),
            0,
          );
          for (const b of full) expect(new Set(b.map((i) => labels[i])).size).toBe(classesPerBatch);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('laziness on 1M examples', () => {
  const n = 1_000_000;

  it('RandomSampler and BucketSampler yield views into one permutation buffer', () => {
    const it1 = new RandomSampler({ size: n, batchSize: 64, seed: 1 }).epoch(0);
    const first = it1.next().value as Int32Array;
    const second = it1.next().value as Int32Array;
    expect(first.length).toBe(64);
    expect(first.buffer.byteLength).toBe(4 * n); // the only big allocation: the permutation itself
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(64 * 4);
    const lengths = new Uint8Array(n).map((_, i) => i % 97);
    const b = new BucketSampler({ lengths, batchSize: 32, seed: 1 }).epoch(0);
    const bf = b.next().value as Int32Array;
    expect(bf.buffer.byteLength).toBe(4 * n);
    expect((b.next().value as Int32Array).buffer).toBe(bf.buffer);
  });

  it('NoDuplicatesSampler and MPerClassSampler write batches in place, batch by batch', () => {
    const s = new NoDuplicatesSampler({ size: n, texts: (i) => [`q${i % 5000}`], batchSize: 128, seed: 2 });
    const it1 = s.epoch(0);
    const first = it1.next().value as Int32Array;
    expect(first.length).toBe(128);
    expect(first.buffer.byteLength).toBe(4 * n);
    const second = it1.next().value as Int32Array;
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(128 * 4);
    const labels = new Int32Array(n).map((_, i) => i % 1000);
    const mp = new MPerClassSampler({ labels, m: 4, batchSize: 64, seed: 2 }).epoch(0);
    const mf = mp.next().value as Int32Array;
    expect(mf.length).toBe(64);
    expect((mp.next().value as Int32Array).buffer).toBe(mf.buffer);
  });
});

describe('padding', () => {
  it('paddingStats counts padded positions', () => {
    expect(paddingStats([[0, 1], [2]], [1, 3, 5])).toEqual({
      tokens: 9,
      padded: 11,
      paddingRatio: 1 - 9 / 11,
    });
  });

  it('bucketing STS-B by length cuts padding versus random batches', async () => {
    const { pairs } = await readPairsFile(`${dataDir}/stsb/train.tsv.gz`);
    const lengths = pairs.map((p) => Math.max(p.text1.split(' ').length, p.text2.split(' ').length));
    const r = new BucketSampler({ lengths, batchSize: 32, seed: 1 }).paddingReport(0);
    expect(r.bucketed.tokens).toBe(r.random.tokens);
    expect(r.bucketed.paddingRatio).toBeLessThan(r.random.paddingRatio / 4);
    expect(r.saved).toBeCloseTo(r.random.paddingRatio - r.bucketed.paddingRatio, 12);
  });
});

describe('argument checks', () => {
  it('rejects bad options', () => {
    expect(() => new RandomSampler({ size: 3, batchSize: 0, seed: 1 })).toThrow(/batchSize/);
    expect(() => new MPerClassSampler({ labels: [0, 1], m: 3, batchSize: 4, seed: 1 })).toThrow(/dividing/);
    expect(() => new MPerClassSampler({ labels: [0, 0], m: 2, batchSize: 4, seed: 1 })).toThrow(
      /needs 2 classes/,
    );
    expect(() => new RandomSampler({ size: 3, batchSize: 1, seed: 1 }).epoch(-1).next()).toThrow(TypeError);
  });

  it('a size that is a multiple of batchSize gives full batches and no empty one', () => {
    expect(
      collectBatches(new RandomSampler({ size: 4, batchSize: 2, seed: 1 }), 0).map((b) => b.length),
    ).toEqual([2, 2]);
    expect(
      collectBatches(new BucketSampler({ lengths: [1, 2, 3, 4], batchSize: 2, seed: 1 }), 0).map(
        (b) => b.length,
      ),
    ).toEqual([2, 2]);
  });

  it('names the bad option and what was found, as E_INVALID_ARGUMENT', () => {
    const thrown = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(SiameseError.is(e, 'E_INVALID_ARGUMENT')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('expected a throw');
    };
    for (const bucketSize of [0, 1.5, -2]) {
      expect(thrown(() => new BucketSampler({ lengths: [1, 2], batchSize: 1, bucketSize, seed: 1 }))).toBe(
        `BucketSampler: bucketSize must be a positive integer, found ${bucketSize}`,
      );
    }
    expect(new BucketSampler({ lengths: [1, 2], batchSize: 1, bucketSize: 1, seed: 1 }).size).toBe(2);
    for (const size of [-1, 2.5, undefined]) {
      expect(thrown(() => new BucketSampler({ lengths: (i) => i, size, batchSize: 1, seed: 1 }))).toBe(
        `BucketSampler: size must be a non-negative integer when lengths is a function, found ${size}`,
      );
    }
    expect(new BucketSampler({ lengths: (i) => i, size: 0, batchSize: 1, seed: 1 }).size).toBe(0);
    expect(thrown(() => new MPerClassSampler({ labels: [0, 1], m: 3, batchSize: 4, seed: 1 }))).toBe(
      'MPerClassSampler: m must be a positive integer dividing batchSize 4, found 3',
    );
    expect(thrown(() => new MPerClassSampler({ labels: [0, 1, 0.5], m: 1, batchSize: 2, seed: 1 }))).toBe(
      'MPerClassSampler: labels[2] must be an integer, found 0.5',
    );
    expect(thrown(() => new MPerClassSampler({ labels: [0, 1], m: 1, batchSize: 0, seed: 1 }))).toMatch(
      /^MPerClassSampler: batchSize /,
    );
    expect(thrown(() => new RandomSampler({ size: 3, batchSize: 0, seed: 1 }))).toMatch(/^RandomSampler: /);
    expect(thrown(() => new RandomSampler({ size: -1, batchSize: 1, seed: 1 }))).toBe(
      'RandomSampler: size must be a non-negative integer, found -1',
    );
  });
});
