import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterLeakage, findLeakage, splitPairs, UnionFind } from '../src/index.js';
import { readPairsFile } from '../src/node.js';
import { dataDir } from './helpers.js';

const p = (text1: string, text2: string) => ({ text1, text2 });

describe('leakage-safe splits', () => {
  it('keeps connected pairs together (after normalisation)', () => {
    const pairs = [p('A', 'b'), p('b', 'c'), p('x', 'y'), p('Y ', 'z'), p('m', 'n'), p('o', 'q')];
    const { splits, report } = splitPairs(pairs, { fractions: { train: 0.5, test: 0.5 }, seed: 3 });
    expect(report.components).toBe(4);
    expect(report.largestComponent).toBe(2);
    expect(report.sizes.train + report.sizes.test).toBe(6);
    expect(report.targets).toEqual({ train: 3, test: 3 });
    expect(report.dropped).toBe(0);
    expect(findLeakage([splits.train, splits.test])).toEqual([]);
    const where = (x: { text1: string }) => (splits.train.includes(x as never) ? 'train' : 'test');
    expect(where(pairs[0]!)).toBe(where(pairs[1]!));
    expect(where(pairs[2]!)).toBe(where(pairs[3]!));
    expect(splits).toEqual({ train: [pairs[2], pairs[3], pairs[5]], test: [pairs[0], pairs[1], pairs[4]] });
    // Deterministic for a seed.
    expect(splitPairs(pairs, { fractions: { train: 0.5, test: 0.5 }, seed: 3 }).splits).toEqual(splits);
  });

  it('a custom normalize changes what counts as the same text', () => {
    const pairs = [p('A', 'b'), p('a', 'c')];
    const exact = splitPairs(pairs, { fractions: { a: 1, b: 1 }, seed: 1, normalize: (t) => t });
    expect(exact.report.components).toBe(2);
    expect(splitPairs(pairs, { fractions: { a: 1, b: 1 }, seed: 1 }).report.components).toBe(1);
  });

  it('STS-B train: 80/10/10 without leakage, both strategies', async () => {
    const { pairs } = await readPairsFile(`${dataDir}/stsb/train.tsv.gz`);
    const group = splitPairs(pairs, { fractions: { train: 0.8, dev: 0.1, test: 0.1 }, seed: 1 });
    expect(findLeakage(Object.values(group.splits))).toEqual([]);
    expect(group.report.sizes.train + group.report.sizes.dev + group.report.sizes.test).toBe(5749);
    expect(group.report.components).toBe(4859);
    expect(group.report.largestComponent).toBe(245);
    expect(group.report.sizes).toEqual({ train: 4599, dev: 575, test: 575 });
    const drop = splitPairs(pairs, {
      fractions: { train: 0.8, dev: 0.1, test: 0.1 },
      seed: 1,
      strategy: 'drop',
    });
    expect(findLeakage(Object.values(drop.splits))).toEqual([]);
    expect(drop.report.moved).toBe(0);
    expect(drop.report.dropped).toBe(251);
    expect(drop.report.sizes.train + drop.report.sizes.dev + drop.report.sizes.test).toBe(5749 - 251);
  });

  it('SICK dev overlaps train; filterLeakage removes the overlapping dev pairs', async () => {
    const train = (await readPairsFile(`${dataDir}/sick/train.tsv.gz`)).pairs;
    const dev = (await readPairsFile(`${dataDir}/sick/dev.tsv.gz`)).pairs;
    const shared = findLeakage([train, dev]);
    expect(shared.length).toBeGreaterThan(0);
    const safe = filterLeakage(dev, train);
    expect(safe.dropped).toBe(dev.length - safe.pairs.length);
    expect(findLeakage([train, safe.pairs])).toEqual([]);
  });

  it('property: no split ever leaks, nothing is lost with group', () => {
    const text = fc.constantFrom('a', 'A', 'b', 'c ', 'C', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k');
    fc.assert(
      fc.property(
        fc.array(fc.record({ text1: text, text2: text }), { maxLength: 60 }),
        fc.integer(),
        fc.constantFrom<'group' | 'drop'>('group', 'drop'),
        (pairs, seed, strategy) => {
          const { splits, report } = splitPairs(pairs, {
            fractions: { tr: 0.7, dv: 0.2, te: 0.1 },
            seed,
            strategy,
          });
          expect(findLeakage([splits.tr, splits.dv, splits.te])).toEqual([]);
          const kept = splits.tr.length + splits.dv.length + splits.te.length;
          expect(kept + report.dropped).toBe(pairs.length);
          if (strategy === 'group') expect(report.dropped).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('filterLeakage keeps exactly the pairs that share no (normalised) text with the reference', () => {
    const p = (text1: string, text2: string) => ({ text1, text2 });
    const candidates = [p('a', 'b'), p('c', 'd'), p('e', 'A  '), p('f', 'g')];
    expect(filterLeakage(candidates, [p('x', 'a'), p('D', 'y')])).toEqual({
      pairs: [p('f', 'g')],
      dropped: 3,
    });
    expect(filterLeakage(candidates, [])).toEqual({ pairs: candidates, dropped: 0 });
  });

  it('UnionFind: a union within one set changes nothing, not even which root a later union keeps', () => {
    const merged = (redundant: boolean) => {
      const uf = new UnionFind(4);
      uf.union(0, 1);
      if (redundant) uf.union(1, 0);
      uf.union(2, 3);
      uf.union(2, 0);
      return [0, 1, 2, 3].map((i) => uf.find(i));
    };
    expect(merged(true)).toEqual(merged(false));
  });

  it('UnionFind merges sets', () => {
    const uf = new UnionFind(5);
    uf.union(0, 1);
    uf.union(3, 4);
    uf.union(1, 4);
    expect(uf.find(0)).toBe(uf.find(3));
    expect(uf.find(2)).toBe(2);
  });

  it('rejects bad fractions', () => {
    expect(() => splitPairs([], { fractions: { a: -1 }, seed: 1 })).toThrow(/non-negative fractions/);
  });
});
