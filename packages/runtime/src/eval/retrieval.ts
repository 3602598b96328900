import { SiameseError } from '@siamese/core';

/** The metrics computed at every cut-off `k` of a retrieval evaluation. */
export const RETRIEVAL_METRICS = ['accuracy', 'precision', 'recall', 'mrr', 'ndcg', 'map'] as const;

/** One of {@link RETRIEVAL_METRICS}. */
export type RetrievalMetricName = (typeof RETRIEVAL_METRICS)[number];

/**
 * Retrieval quality over queries whose relevant corpus ids are known, as sentence-transformers'
 * `InformationRetrievalEvaluator` computes it (binary relevance, means over queries). Every metric at every
 * cut-off is a flat key, `'ndcg@10'`, `'accuracy@1'`, so `fit({ metric: 'map@5' })` can name it:
 * - `accuracy@k`: share of queries with at least one relevant text in the top k;
 * - `precision@k`: relevant texts in the top k, over k;
 * - `recall@k`: relevant texts in the top k, over the query's relevant texts;
 * - `mrr@k`: 1 / rank of the first relevant text in the top k (0 when none);
 * - `ndcg@k`: DCG of the top k over the DCG of an ideal ranking;
 * - `map@k`: the sum of precision@i at each relevant rank i ≤ k, over min(k, relevant texts).
 *
 * `recallAtK`, `mrrAtK` and `ndcgAtK` repeat the values at the largest cut-off `k`.
 */
export interface RetrievalMetrics {
  [metric: `${RetrievalMetricName}@${number}`]: number;
  /** The largest cut-off. */
  k: number;
  recallAtK: number;
  mrrAtK: number;
  ndcgAtK: number;
  /** Number of queries. */
  n: number;
}

/**
 * Checks and sorts retrieval cut-offs: one whole number ≥ 1, or a non-empty list of them (duplicates dropped).
 * @param what names the caller in the error.
 */
export function cutoffs(k: number | readonly number[], what: string): number[] {
  const list = typeof k === 'number' ? [k] : Array.isArray(k) ? [...k] : [];
  if (list.length === 0 || !list.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `${what}: expected k to be a whole number ≥ 1 or a non-empty list of them (as [1, 5, 10]), found ${JSON.stringify(k)}`,
      { details: { k } },
    );
  }
  return [...new Set(list)].sort((a, b) => a - b);
}

/**
 * @param ranked for each query, corpus ids ranked best-first (at least the top max(k)).
 * @param relevant for each query, the set of relevant corpus ids (binary relevance).
 * @param k one cut-off or several (`[1, 5, 10]`).
 */
export function retrievalMetrics(
  ranked: ReadonlyArray<ArrayLike<number>>,
  relevant: ReadonlyArray<ReadonlySet<number>>,
  k: number | readonly number[],
): RetrievalMetrics {
  if (ranked.length !== relevant.length) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `retrievalMetrics: ${ranked.length} rankings but ${relevant.length} relevance sets`,
    );
  }
  const ks = cutoffs(k, 'retrievalMetrics');
  const sums = new Map<string, number>();
  const add = (key: string, v: number) => sums.set(key, (sums.get(key) ?? 0) + v);
  for (let q = 0; q < ranked.length; q++) {
    const rel = relevant[q]!;
    const list = ranked[q]!;
    for (const cut of ks) {
      const top = Math.min(cut, list.length);
      let hits = 0;
      let dcg = 0;
      let firstHit = 0;
      let precisionSum = 0;
      for (let r = 0; r < top; r++) {
        if (rel.has(list[r]!)) {
          hits++;
          dcg += 1 / Math.log2(r + 2);
          precisionSum += hits / (r + 1);
          if (!firstHit) firstHit = r + 1;
        }
      }
      let idcg = 0;
      for (let r = 0; r < Math.min(cut, rel.size); r++) idcg += 1 / Math.log2(r + 2);
      add(`accuracy@${cut}`, hits > 0 ? 1 : 0);
      add(`precision@${cut}`, hits / cut);
      add(`recall@${cut}`, rel.size ? hits / rel.size : 0);
      add(`mrr@${cut}`, firstHit ? 1 / firstHit : 0);
      add(`ndcg@${cut}`, idcg ? dcg / idcg : 0);
      add(`map@${cut}`, rel.size ? precisionSum / Math.min(cut, rel.size) : 0);
    }
  }
  const n = ranked.length || 1;
  const largest = ks[ks.length - 1]!;
  const out: Record<string, number> = { k: largest };
  for (const cut of ks)
    for (const m of RETRIEVAL_METRICS) out[`${m}@${cut}`] = (sums.get(`${m}@${cut}`) ?? 0) / n;
  const metrics = out as unknown as RetrievalMetrics;
  metrics.recallAtK = metrics[`recall@${largest}`]!;
  metrics.mrrAtK = metrics[`mrr@${largest}`]!;
  metrics.ndcgAtK = metrics[`ndcg@${largest}`]!;
  metrics.n = ranked.length;
  return metrics;
}
