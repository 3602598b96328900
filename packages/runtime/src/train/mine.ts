import { now, SiameseError } from '@siamese/core';
import type { TextPair, Triplet } from '@siamese/pairs';
import { VectorIndex } from '../infer/vector-index.js';
import { vectorSimilarity } from '../infer/vector-similarity.js';
import type { SiameseModel } from '../model.js';

/** Options of {@link mineHardNegatives}. */
export interface MineOptions {
  /** Texts to draw negatives from; default every positive text of `pairs` (as sentence-transformers). */
  corpus?: readonly string[];
  /**
   * Which ranks of the corpus search to consider, `[from, to)`, best first; default `[0, 50]`. Skipping the top
   * few (`[10, 50]`) avoids unlabelled positives, the usual false negatives.
   */
  range?: readonly [number, number];
  /** Negatives per pair (one triplet each); default 1. */
  k?: number;
  /**
   * Keep a candidate only when it is less similar to the anchor than the positive is, by this much: absolute
   * (`sim(a, n) ≤ sim(a, p) − margin`), or with `relative: true` a share (`sim(a, n) ≤ sim(a, p)·(1 − margin)`).
   * Default: no margin.
   */
  margin?: number;
  relative?: boolean;
  /** Drop candidates more similar to the anchor than this (likely positives); default none. */
  maxScore?: number;
  /** Called after each chunk of anchors with how many are done. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link mineHardNegatives} found, besides the triplets. */
export interface MineReport {
  /** Pairs given (after keeping positives), and how many got at least one negative. */
  pairs: number;
  mined: number;
  /** Wall time of embedding and searching, in seconds. */
  seconds: number;
}

const invalid = (message: string, details?: Record<string, unknown>) =>
  new SiameseError('E_INVALID_ARGUMENT', `mineHardNegatives: ${message}`, details ? { details } : {});

/**
 * Hard negatives from a corpus (sentence-transformers' `mine_hard_negatives`): the corpus is embedded once with
 * `model`; for each (anchor, positive) pair, the corpus texts most similar to the anchor within `range` that
 * are not a positive of that anchor (nor the anchor itself) and pass the margin become negatives. Returns
 * `(anchor, positive, negative)` triplets, `k` per pair at most (MNRL uses them as hard negatives; `triplet`
 * trains on them directly); a pair whose candidates all fail is left out. Pairs with a label or score are
 * kept only when positive (label 1 / score ≥ 0.8).
 */
export async function mineHardNegatives(
  model: SiameseModel,
  pairs: readonly TextPair[],
  options: MineOptions = {},
): Promise<Triplet[] & { report: MineReport }> {
  const started = now();
  const [from, to] = options.range ?? [0, 50];
  const k = options.k ?? 1;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to <= from)
    throw invalid(`range must be [from, to) with 0 ≤ from < to, found [${from}, ${to}]`, {
      range: [from, to],
    });
  if (!Number.isInteger(k) || k < 1) throw invalid(`k must be a whole number ≥ 1, found ${k}`, { k });
  const margin = options.margin;
  if (margin !== undefined && !Number.isFinite(margin))
    throw invalid(`margin must be a finite number, found ${margin}`);
  const positives = pairs.filter((p) => (p.label ?? ((p.score ?? 1) >= 0.8 ? 1 : 0)) > 0.5);
  // Every positive of an anchor is excluded from its negatives, not only the pair's own.
  const positivesOf = new Map<string, Set<string>>();
  for (const p of positives) {
    const set = positivesOf.get(p.text1) ?? new Set<string>();
    positivesOf.set(p.text1, set.add(p.text2));
  }
  const corpus = [...new Set(options.corpus ?? positives.map((p) => p.text2))];
  if (!corpus.length) throw invalid('the corpus is empty (no positive pairs and no options.corpus)');
  const index = new VectorIndex(model.dim, { similarity: model.similarity, capacity: corpus.length });
  index.add(await model.embedMatrix(corpus), corpus);
  const anchors = [...positivesOf.keys()];
  const anchorVectors = await model.embed(anchors);
  const positiveTexts = [...new Set(positives.map((p) => p.text2))];
  const positiveVectors = new Map((await model.embed(positiveTexts)).map((v, i) => [positiveTexts[i]!, v]));
  const hitsOf = new Map<string, { text: string; score: number }[]>();
  const chunk = 256;
  for (let s = 0; s < anchors.length; s += chunk) {
    for (let i = s; i < Math.min(anchors.length, s + chunk); i++) {
      const anchor = anchors[i]!;
      const skip = positivesOf.get(anchor)!;
      // Ask for enough hits that excluded texts (the anchor, its positives) cannot push candidates out of range.
      const hits = index.search(anchorVectors[i]!, Math.min(corpus.length, to + skip.size + 1));
      const ranked = hits.filter((h) => h.text !== anchor && !skip.has(h.text!)).slice(from, to);
      hitsOf.set(
        anchor,
        ranked.map((h) => ({ text: h.text!, score: h.score })),
      );
    }
    options.onProgress?.(Math.min(anchors.length, s + chunk), anchors.length);
  }
  const triplets: Triplet[] = [];
  let mined = 0;
  const anchorIndex = new Map(anchors.map((t, i) => [t, i]));
  for (const p of positives) {
    const a = anchorVectors[anchorIndex.get(p.text1)!]!;
    const positiveScore = vectorSimilarity(a, positiveVectors.get(p.text2)!, model.similarity);
    const limit =
      margin === undefined
        ? Number.POSITIVE_INFINITY
        : options.relative
          ? positiveScore * (1 - margin)
          : positiveScore - margin;
    const chosen = hitsOf
      .get(p.text1)!
      .filter((h) => h.score <= limit && (options.maxScore === undefined || h.score <= options.maxScore))
      .slice(0, k);
    if (chosen.length) mined++;
    for (const h of chosen) triplets.push({ anchor: p.text1, positive: p.text2, negative: h.text });
  }
  return Object.assign(triplets, {
    report: { pairs: positives.length, mined, seconds: (now() - started) / 1000 },
  });
}
