import { SiameseError } from '@siamese/core';

/** Retrieval quality over queries whose relevant corpus ids are known. */
export interface RetrievalMetrics {
  k: number;
  recallAtK: number;
  mrrAtK: number;
  ndcgAtK: number;
  /** Number of queries. */
  n: number;
}

/**
 * @param ranked for each query, corpus ids ranked best-first (at least the top k).
 * @param relevant for each query, the set of relevant corpus ids (binary relevance).
 */
export function retrievalMetrics(
  ranked: ReadonlyArray<ArrayLike<number>>,
  relevant: ReadonlyArray<ReadonlySet<number>>,
  k: number,
): RetrievalMetrics {
  if (ranked.length !== relevant.length) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `retrievalMetrics: ${ranked.length} rankings but ${relevant.length} relevance sets`,
    );
  }
  if (!(k >= 1)) throw new SiameseError('E_INVALID_ARGUMENT', `retrievalMetrics: expected k ≥ 1, found ${k}`);
  let recall = 0;
  let mrr = 0;
  let ndcg = 0;
  for (let q = 0; q < ranked.length; q++) {
    const rel = relevant[q]!;
    const list = ranked[q]!;
    const top = Math.min(k, list.length);
    let hits = 0;
    let dcg = 0;
    let firstHit = 0;
    for (let r = 0; r < top; r++) {
      if (rel.has(list[r]!)) {
        hits++;
        dcg += 1 / Math.log2(r + 2);
        if (!firstHit) firstHit = r + 1;
      }
    }
    let idcg = 0;
    for (let r = 0; r < Math.min(k, rel.size); r++) idcg += 1 / Math.log2(r + 2);
    recall += rel.size ? hits / rel.size : 0;
    mrr += firstHit ? 1 / firstHit : 0;
    ndcg += idcg ? dcg / idcg : 0;
  }
  const n = ranked.length || 1;
  return { k, recallAtK: recall / n, mrrAtK: mrr / n, ndcgAtK: ndcg / n, n: ranked.length };
}
