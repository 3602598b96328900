import { SiameseError } from '@siamese/core';
import type { LabelledPair, ScoredPair, TextPair, Triplet } from '@siamese/pairs';
import { similarities } from '../infer/compare.js';
import { buildIndex } from '../infer/search.js';
import { vectorSimilarity } from '../infer/vector-similarity.js';
import type { SiameseModel } from '../model.js';
import { type BinaryMetrics, binaryMetrics } from './binary.js';
import { pearson, spearman } from './correlation.js';
import {
  type ParaphraseMiningMetrics,
  type ParaphraseTask,
  paraphraseMiningMetrics,
} from './paraphrase-task.js';
import { type RerankingMetrics, type RerankingSample, rerankingMetrics } from './reranking.js';
import { cutoffs, type RetrievalMetrics, retrievalMetrics } from './retrieval.js';

/** A retrieval task: for each query, the indices of the relevant corpus texts. */
export interface RetrievalTask {
  queries: readonly string[];
  corpus: readonly string[];
  relevant: readonly (readonly number[])[];
  /** Cut-off(s) of the @k metrics: `10` (default) or several, `[1, 5, 10]`. */
  k?: number | readonly number[];
}

/** Pearson's r and Spearman's ρ of the model's similarities against the gold scores. */
export interface CorrelationMetrics {
  pearson: number;
  spearman: number;
  n: number;
}

/** Share of triplets whose anchor is more similar to the positive than to the negative. */
export interface TripletMetrics {
  accuracy: number;
  n: number;
}

/**
 * What {@link evaluate} accepts: the shape of the data decides the metrics. Pairs as a reader gives them without
 * `require` (`TextPair`s: `score` and `label` optional) are measured by what their first row has: a score
 * (correlation), else a label (binary metrics).
 */
export type EvaluationData =
  | readonly ScoredPair[]
  | readonly LabelledPair[]
  | readonly Triplet[]
  | RetrievalTask
  | readonly RerankingSample[]
  | ParaphraseTask
  | readonly TextPair[];

/** What {@link evaluate} returns, by data kind. */
export type EvaluationMetrics =
  | CorrelationMetrics
  | BinaryMetrics
  | TripletMetrics
  | RetrievalMetrics
  | RerankingMetrics
  | ParaphraseMiningMetrics;

type DataKind = 'scored' | 'binary' | 'triplets' | 'retrieval' | 'reranking' | 'paraphrase';

/**
 * Measures a model, comparing vectors with its own similarity. The shape of the data decides the metrics, and
 * the result type follows it:
 * - scored pairs → Pearson and Spearman (`CorrelationMetrics`);
 * - binary pairs → accuracy, F1, precision, recall and average precision at the best threshold (`BinaryMetrics`);
 * - triplets → accuracy (`TripletMetrics`);
 * - a retrieval task → accuracy, precision, recall, MRR, nDCG and MAP at each k (`RetrievalMetrics`);
 * - reranking samples (`{query, positive, negative}`) → MAP, MRR@10, nDCG@10 (`RerankingMetrics`);
 * - a paraphrase-mining task (`{texts, duplicates}`) → average precision, best F1 and its threshold (`ParaphraseMiningMetrics`).
 *
 * @example
 * ```ts
 * const { pairs: dev } = await readPairsFile('stsb/dev.tsv.gz', { require: 'score' });
 * console.log((await evaluate(model, dev)).spearman);
 * ```
 */
export function evaluate(model: SiameseModel, data: readonly ScoredPair[]): Promise<CorrelationMetrics>;
export function evaluate(model: SiameseModel, data: readonly LabelledPair[]): Promise<BinaryMetrics>;
export function evaluate(model: SiameseModel, data: readonly Triplet[]): Promise<TripletMetrics>;
export function evaluate(model: SiameseModel, data: RetrievalTask): Promise<RetrievalMetrics>;
export function evaluate(model: SiameseModel, data: readonly RerankingSample[]): Promise<RerankingMetrics>;
export function evaluate(model: SiameseModel, data: ParaphraseTask): Promise<ParaphraseMiningMetrics>;
export function evaluate(model: SiameseModel, data: EvaluationData): Promise<EvaluationMetrics>;
export async function evaluate(model: SiameseModel, data: EvaluationData): Promise<EvaluationMetrics> {
  const kind = detectKind(data);
  if (kind === 'retrieval') return evaluateRetrieval(model, data as RetrievalTask);
  if (kind === 'triplets') return evaluateTriplets(model, data as readonly Triplet[]);
  if (kind === 'reranking') return evaluateReranking(model, data as readonly RerankingSample[]);
  if (kind === 'paraphrase') return paraphraseMiningMetrics(model, data as ParaphraseTask);
  const rows = data as readonly (ScoredPair | LabelledPair)[];
  const sims = await similarities(
    model,
    rows.map((r) => r.text1),
    rows.map((r) => r.text2),
  );
  if (kind === 'scored') {
    const gold = (rows as readonly ScoredPair[]).map((r) => r.score);
    return { pearson: pearson(sims, gold), spearman: spearman(sims, gold), n: sims.length };
  }
  return binaryMetrics(
    sims,
    (rows as readonly LabelledPair[]).map((r) => r.label),
  );
}

async function evaluateRetrieval(model: SiameseModel, task: RetrievalTask): Promise<RetrievalMetrics> {
  const ks = cutoffs(task.k ?? 10, 'evaluate');
  const k = ks[ks.length - 1]!;
  const index = await buildIndex(model, task.corpus);
  const queries = await model.embed(task.queries);
  const ranked = queries.map((q) => index.search(q, k).map((h) => h.index));
  return retrievalMetrics(
    ranked,
    task.relevant.map((r) => new Set(r)),
    ks,
  );
}

async function evaluateReranking(
  model: SiameseModel,
  rows: readonly RerankingSample[],
): Promise<RerankingMetrics> {
  // Every distinct text embedded once, in one pass.
  const ids = new Map<string, number>();
  const id = (t: string) => {
    if (!ids.has(t)) ids.set(t, ids.size);
    return ids.get(t)!;
  };
  const lists = rows.map((r) => ({ q: id(r.query), c: [...r.positive, ...r.negative].map(id) }));
  const m = await model.embedMatrix([...ids.keys()]);
  const d = model.dim;
  const row = (i: number) => m.subarray(i * d, (i + 1) * d);
  return rerankingMetrics(
    lists.map(({ q, c }) => c.map((t) => vectorSimilarity(row(q), row(t), model.similarity))),
    rows.map((r) => [...r.positive.map(() => true), ...r.negative.map(() => false)]),
  );
}

async function evaluateTriplets(model: SiameseModel, rows: readonly Triplet[]): Promise<TripletMetrics> {
  const anchors = rows.map((r) => r.anchor);
  const pos = await similarities(
    model,
    anchors,
    rows.map((r) => r.positive),
  );
  const neg = await similarities(
    model,
    anchors,
    rows.map((r) => r.negative),
  );
  let correct = 0;
  for (let i = 0; i < rows.length; i++) if (pos[i]! > neg[i]!) correct++;
  return { accuracy: correct / rows.length, n: rows.length };
}

/** Detects which kind of evaluation data this is, with an error naming the first row that does not fit. */
export function detectKind(data: EvaluationData): DataKind {
  if (!Array.isArray(data)) {
    const t = data as RetrievalTask;
    if (Array.isArray(t?.queries) && Array.isArray(t.corpus) && Array.isArray(t.relevant)) return 'retrieval';
    const p = data as ParaphraseTask;
    if (Array.isArray(p?.texts) && Array.isArray(p.duplicates)) return 'paraphrase';
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'evaluate: expected an array of pairs, triplets or {query, positive, negative} samples, {queries, corpus, relevant} or {texts, duplicates}',
    );
  }
  if (data.length === 0)
    throw new SiameseError('E_INVALID_ARGUMENT', 'evaluate: expected at least one example, found none');
  const first = data[0] as Partial<ScoredPair & LabelledPair & Triplet & RerankingSample>;
  if (typeof first?.query === 'string') {
    checkRerankingRows(data as readonly RerankingSample[]);
    return 'reranking';
  }
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
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        i === 0
          ? `evaluate: row 0: expected ${fields}${kind === 'scored' ? ' (or a binary label)' : ''}, found ${Object.keys(r).join('/') || 'no fields'}`
          : `evaluate: row ${i} does not look like the first row (${fields})`,
        { details: { index: i } },
      );
    }
  });
  return kind;
}

function checkRerankingRows(rows: readonly RerankingSample[]): void {
  const texts = (v: unknown) => Array.isArray(v) && v.every((t) => typeof t === 'string');
  rows.forEach((r, i) => {
    if (typeof r?.query !== 'string' || !texts(r.positive) || !texts(r.negative)) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `evaluate: row ${i}: expected a reranking sample {query: string, positive: string[], negative: string[]}`,
        { details: { index: i } },
      );
    }
  });
}
