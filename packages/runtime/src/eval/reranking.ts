import { SiameseError } from '@siamese/core';
import { binaryMetrics } from './binary.js';

/** One reranking example: a query and its candidate texts, the relevant ones and the others. */
export interface RerankingSample {
  query: string;
  positive: readonly string[];
  negative: readonly string[];
}

/**
 * Reranking quality over given candidate lists, as sentence-transformers' `RerankingEvaluator` computes it:
 * each query's candidates (its positives and negatives) are ranked by similarity to the query.
 */
export interface RerankingMetrics {
  /** Mean average precision over each query's whole candidate list (sklearn's `average_precision_score`). */
  map: number;
  /** Mean of 1 / rank of the first positive within the top `k` (0 when none is there). */
  mrrAtK: number;
  /** Mean nDCG of the top `k` (binary relevance). */
  ndcgAtK: number;
  k: number;
  /** Queries measured. */
  n: number;
  /** Queries skipped because they have no positive or no negative (they cannot be ranked). */
  skipped: number;
}

/**
 * Reranking metrics of scored candidate lists.
 * @param scores for each query, the similarity of each candidate.
 * @param relevant for each query, whether each candidate is relevant (same order as `scores`).
 * @param k cut-off of MRR and nDCG (default 10).
 *
 * Lists without a relevant or without an irrelevant candidate are skipped and counted in `skipped`. NaN when every list is
 * skipped. Tied scores keep the candidates' given order.
 */
export function rerankingMetrics(
  scores: ReadonlyArray<ArrayLike<number>>,
  relevant: ReadonlyArray<ArrayLike<boolean>>,
  k = 10,
): RerankingMetrics {
  if (scores.length !== relevant.length) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `rerankingMetrics: ${scores.length} score lists but ${relevant.length} relevance lists`,
    );
  }
  if (!Number.isInteger(k) || k < 1)
    throw new SiameseError('E_INVALID_ARGUMENT', `rerankingMetrics: expected k ≥ 1, found ${k}`);
  let map = 0;
  let mrr = 0;
  let ndcg = 0;
  let n = 0;
  for (let q = 0; q < scores.length; q++) {
    const s = scores[q]!;
    const rel = relevant[q]!;
    if (s.length !== rel.length) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `rerankingMetrics: query ${q} has ${s.length} scores but ${rel.length} relevance flags`,
        { details: { index: q } },
      );
    }
    const positives = Array.from(rel).filter(Boolean).length;
    if (positives === 0 || positives === rel.length) continue;
    n++;
    map += binaryMetrics(
      s,
      Array.from(rel, (r) => (r ? 1 : 0)),
    ).ap;
    const order = Array.from({ length: s.length }, (_, i) => i).sort((a, b) => s[b]! - s[a]! || a - b);
    let dcg = 0;
    let first = 0;
    for (let r = 0; r < Math.min(k, order.length); r++) {
      if (rel[order[r]!]) {
        dcg += 1 / Math.log2(r + 2);
        if (!first) first = r + 1;
      }
    }
    let idcg = 0;
    for (let r = 0; r < Math.min(k, positives); r++) idcg += 1 / Math.log2(r + 2);
    mrr += first ? 1 / first : 0;
    ndcg += dcg / idcg;
  }
  const mean = (sum: number) => (n ? sum / n : Number.NaN);
  return { map: mean(map), mrrAtK: mean(mrr), ndcgAtK: mean(ndcg), k, n, skipped: scores.length - n };
}
