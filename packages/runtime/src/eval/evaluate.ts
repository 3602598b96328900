import { InvalidArgumentError } from '@siamese/core';
import type { PairRecord } from '@siamese/pairs';
import { type BinaryMetrics, binaryMetrics } from './binary.js';
import { pearson, spearman } from './correlation.js';
import { type RetrievalMetrics, retrievalMetrics } from './retrieval.js';

/** A pair with a graded similarity score (any range: only correlation is measured). */
export interface ScoredPair {
  text1: string;
  text2: string;
  score: number;
}
/** A pair with a binary label (1 = similar / paraphrase). */
export interface LabelledPair {
  text1: string;
  text2: string;
  label: number;
}
/** A triplet: `anchor` should be closer to `positive` than to `negative`. */
export interface Triplet {
  anchor: string;
  positive: string;
  negative: string;
}
/** A retrieval task: for each query, the indices of the relevant corpus texts. */
export interface RetrievalTask {
  queries: string[];
  corpus: string[];
  relevant: number[][];
  /** Cut-off for the @k metrics; default 10. */
  k?: number;
}

export interface CorrelationMetrics {
  pearson: number;
  spearman: number;
  n: number;
}
export interface TripletMetrics {
  accuracy: number;
  n: number;
}

/**
 * What `evaluate()` accepts: the shape of the data decides the metrics. Pairs as the readers of
 * `@siamese/pairs` give them (`score` and `label` optional) are measured by what their first row has: a score
 * (correlation), else a label (binary metrics).
 */
export type EvaluationData =
  | readonly ScoredPair[]
  | readonly LabelledPair[]
  | readonly Triplet[]
  | RetrievalTask
  | readonly PairAsRead[];

/** A pair as the readers of `@siamese/pairs` give it (`score` and `label` optional; `line` not needed). */
export type PairAsRead = Omit<PairRecord, 'line'>;
export type EvaluationMetrics = CorrelationMetrics | BinaryMetrics | TripletMetrics | RetrievalMetrics;

export type DataKind = 'scored' | 'binary' | 'triplets' | 'retrieval';

/** Detects which kind of evaluation data this is, with an error naming the first row that does not fit. */
export function detectKind(data: EvaluationData): DataKind {
  if (!Array.isArray(data)) {
    const t = data as RetrievalTask;
    if (Array.isArray(t.queries) && Array.isArray(t.corpus) && Array.isArray(t.relevant)) return 'retrieval';
    throw new InvalidArgumentError(
      'evaluate: expected an array of pairs/triplets or {queries, corpus, relevant}',
    );
  }
  if (data.length === 0)
    throw new InvalidArgumentError('evaluate: expected at least one example, found none');
  const first = data[0] as Partial<ScoredPair & LabelledPair & Triplet>;
  const kind: DataKind =
    typeof first.anchor === 'string'
      ? 'triplets'
      : typeof first.score === 'number'
        ? 'scored'
        : typeof first.label === 'number'
          ? 'binary'
          : 'scored';
  data.forEach((row, i) => {
    const r = row as Partial<ScoredPair & LabelledPair & Triplet>;
    const ok =
      kind === 'triplets'
        ? typeof r.anchor === 'string' && typeof r.positive === 'string' && typeof r.negative === 'string'
        : typeof r.text1 === 'string' &&
          typeof r.text2 === 'string' &&
          (kind === 'scored' ? Number.isFinite(r.score) : Number.isFinite(r.label));
    if (!ok) {
      const fields =
        kind === 'triplets'
          ? 'anchor/positive/negative'
          : kind === 'scored'
            ? 'text1/text2/score'
            : 'text1/text2/label';
      throw new InvalidArgumentError(
        i === 0
          ? `evaluate: row 0: expected ${fields}${kind === 'scored' ? ' (or a binary label)' : ''}, found ${Object.keys(r).join('/') || 'no fields'}`
          : `evaluate: row ${i} does not look like the first row (${fields})`,
      );
    }
  });
  return kind;
}

/** Metrics from precomputed similarities. */
export function correlationMetrics(sims: ArrayLike<number>, gold: ArrayLike<number>): CorrelationMetrics {
  return { pearson: pearson(sims, gold), spearman: spearman(sims, gold), n: sims.length };
}

export { binaryMetrics, retrievalMetrics };
