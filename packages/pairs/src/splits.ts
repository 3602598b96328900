import { SiameseError } from '@siamese/core';
import { normalizeText, type TextNormalizer } from './normalize-text.js';
import { epochRng } from './seed.js';
import { TextIds } from './text-ids.js';
import { UnionFind } from './union-find.js';

type Pair = { text1: string; text2: string };

/** Options of {@link splitPairs}. */
export interface SplitOptions<K extends string> {
  /** Target share of each split, e.g. `{ train: 0.8, dev: 0.1, test: 0.1 }` (normalised to sum 1). */
  fractions: Readonly<Record<K, number>>;
  seed: number;
  /** Text identity; default {@link normalizeText} (NFKC, lower-case, collapsed white space). */
  normalize?: TextNormalizer;
  /**
   * `group` (default): whole connected components of the text–pair graph go to one split; nothing is dropped,
   * split sizes may deviate from the fractions. `drop`: each pair goes to a random split, then pairs of later
   * splits that share a text with an earlier split (in `fractions` key order) are dropped.
   */
  strategy?: 'group' | 'drop';
}

/** What a split did. */
export interface SplitReport<K extends string> {
  /** Pairs per split. */
  sizes: Record<K, number>;
  /** Pairs per split the fractions asked for (rounded). */
  targets: Record<K, number>;
  /** Connected components of the text–pair graph (groups of pairs linked by shared texts). */
  components: number;
  /** Pairs in the largest component (a large one makes exact fractions impossible with `group`). */
  largestComponent: number;
  /** Pairs placed in another split than a plain per-pair random split with the same seed would have (`group`). */
  moved: number;
  /** Pairs removed because they shared a text with an earlier split (`drop`). */
  dropped: number;
}

/**
 * Leakage-safe split: no text (after `normalize`) occurs in two splits. Pairs sharing a text are linked
 * (union-find over text ids); each connected component goes to one split, larger components first, each to
 * the split furthest below its target. Seeded and deterministic.
 *
 * @example
 * ```ts
 * const { splits, report } = splitPairs(pairs, { fractions: { train: 0.8, dev: 0.1, test: 0.1 }, seed: 1 });
 * ```
 */
export function splitPairs<T extends Pair, K extends string>(
  pairs: readonly T[],
  options: SplitOptions<K>,
): { splits: Record<K, T[]>; report: SplitReport<K> } {
  const names = Object.keys(options.fractions) as K[];
  const weights = names.map((k) => options.fractions[k]);
  const total = weights.reduce((a, b) => a + b, 0);
  if (names.length === 0 || weights.some((w) => !(w >= 0) || !Number.isFinite(w)) || !(total > 0)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `splitPairs: expected non-negative fractions with a positive sum, found ${JSON.stringify(options.fractions)}`,
    );
  }
  const n = pairs.length;
  const rng = epochRng(options.seed, 0);
  const ids = new TextIds(options.normalize ?? normalizeText);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = ids.id(pairs[i]!.text1);
    b[i] = ids.id(pairs[i]!.text2);
  }
  const uf = new UnionFind(ids.size);
  for (let i = 0; i < n; i++) uf.union(a[i]!, b[i]!);

  // The split a plain per-pair random draw would give, for `moved` and for the `drop` strategy.
  const cum = cumulative(weights, total);
  const naive = new Int32Array(n);
  for (let i = 0; i < n; i++) naive[i] = pick(cum, rng.next());

  const comp = new Int32Array(n);
  const compSize = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(a[i]!);
    comp[i] = r;
    compSize.set(r, (compSize.get(r) ?? 0) + 1);
  }
  const targets = weights.map((w) => Math.round((w / total) * n));
  const assigned = new Int32Array(n);
  let dropped = 0;
  if ((options.strategy ?? 'group') === 'group') {
    const roots = [...compSize.keys()];
    rng.shuffle(roots);
    roots.sort((x, y) => compSize.get(y)! - compSize.get(x)!); // stable: ties keep the shuffled order
    const fill = weights.map(() => 0);
    const splitOf = new Map<number, number>();
    for (const r of roots) {
      let best = 0;
      let bestDeficit = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < names.length; k++) {
        if (weights[k] === 0) continue;
        const deficit = (targets[k]! - fill[k]!) / Math.max(1, targets[k]!);
        if (deficit > bestDeficit) {
          bestDeficit = deficit;
          best = k;
        }
      }
      splitOf.set(r, best);
      fill[best]! += compSize.get(r)!;
    }
    for (let i = 0; i < n; i++) assigned[i] = splitOf.get(comp[i]!)!;
  } else {
    // Earlier splits own their texts; a later pair touching an owned text is dropped.
    const owner = new Int32Array(ids.size).fill(-1);
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => naive[x]! - naive[y]! || x - y);
    for (const i of order) {
      const k = naive[i]!;
      const oa = owner[a[i]!]!;
      const ob = owner[b[i]!]!;
      if ((oa !== -1 && oa !== k) || (ob !== -1 && ob !== k)) {
        assigned[i] = -1;
        dropped++;
        continue;
      }
      owner[a[i]!] = k;
      owner[b[i]!] = k;
      assigned[i] = k;
    }
  }

  const splits = {} as Record<K, T[]>;
  const sizes = {} as Record<K, number>;
  const targetRec = {} as Record<K, number>;
  names.forEach((k, j) => {
    splits[k] = [];
    targetRec[k] = targets[j]!;
  });
  let moved = 0;
  for (let i = 0; i < n; i++) {
    const k = assigned[i]!;
    if (k === -1) continue;
    splits[names[k]!].push(pairs[i]!);
    if (k !== naive[i]) moved++;
  }
  names.forEach((k) => {
    sizes[k] = splits[k].length;
  });
  let largest = 0;
  for (const s of compSize.values()) largest = Math.max(largest, s);
  return {
    splits,
    report: {
      sizes,
      targets: targetRec,
      components: compSize.size,
      largestComponent: largest,
      moved,
      dropped,
    },
  };
}

/**
 * Drops from `candidates` every pair that shares a text (after `normalize`) with `reference`: use it to make
 * an existing dev/test split safe against train (SICK's dev shares pairs with train).
 */
export function filterLeakage<T extends Pair>(
  candidates: readonly T[],
  reference: readonly Pair[],
  normalize: TextNormalizer = normalizeText,
): { pairs: T[]; dropped: number } {
  const seen = new Set<string>();
  for (const p of reference) {
    seen.add(normalize(p.text1));
    seen.add(normalize(p.text2));
  }
  const pairs = candidates.filter((p) => !seen.has(normalize(p.text1)) && !seen.has(normalize(p.text2)));
  return { pairs, dropped: candidates.length - pairs.length };
}

/**
 * Texts (normalised) that occur in more than one of `splits`; empty when the splits are leakage-free.
 */
export function findLeakage(
  splits: ReadonlyArray<readonly Pair[]>,
  normalize: TextNormalizer = normalizeText,
): string[] {
  const where = new Map<string, number>();
  const shared = new Set<string>();
  splits.forEach((split, k) => {
    for (const p of split) {
      for (const t of [p.text1, p.text2]) {
        const key = normalize(t);
        const prev = where.get(key);
        if (prev === undefined) where.set(key, k);
        else if (prev !== k) shared.add(key);
      }
    }
  });
  return [...shared];
}

function cumulative(weights: readonly number[], total: number): number[] {
  let acc = 0;
  return weights.map((w) => {
    acc += w / total;
    return acc;
  });
}

function pick(cum: readonly number[], u: number): number {
  for (let k = 0; k < cum.length; k++) if (u < cum[k]!) return k;
  // Rounding can leave the last cumulative value a hair under 1; fall back to the last split with weight.
  return cum.length - 1;
}
