import { InvalidArgumentError, type Rng } from '@siamese/core';
import type { NgramOptions, Tokenizer } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import type { EncoderLike } from './contracts.js';
import type { BinaryMetrics } from './eval/binary.js';
import {
  binaryMetrics,
  type CorrelationMetrics,
  correlationMetrics,
  detectKind,
  type EvaluationData,
  type EvaluationMetrics,
  type LabelledPair,
  type PairAsRead,
  type RetrievalTask,
  retrievalMetrics,
  type ScoredPair,
  type Triplet,
  type TripletMetrics,
} from './eval/evaluate.js';
import type { RetrievalMetrics } from './eval/retrieval.js';
import type { ClassifyResult, LabelledExample, MatchResult } from './infer/answers.js';
import { lengthBuckets, type PreparedBatch, prepareBatch } from './infer/batching.js';
import { type SimilarityName, vectorSimilarity } from './infer/similarity.js';
import { type SearchHit, VectorIndex } from './infer/vector-index.js';

/** Everything a model is made of. */
export interface SiameseModelParts {
  tokenizer: Tokenizer;
  /** The shared encoder: both texts of a pair go through the same weights. */
  encoder: EncoderLike;
  /** Default `cosine`. */
  similarity?: SimilarityName;
  /** Longest input in tokens; longer texts are truncated. Default 64. */
  maxLength?: number;
  /** Hashed character n-grams fed to the encoder (`input.ngramIds`), if it uses them. */
  ngrams?: NgramOptions;
  /** Calibrated decision threshold for `match()`. */
  threshold?: { value: number; metric: string; score: number } | null;
  /** Training summary, kept in saved models. */
  training?: unknown;
  /** Loss config the model was trained with. */
  loss?: { name: string; [k: string]: unknown } | null;
  /** Optional model id (defaults to a hash of the weights when saved). */
  id?: string;
}

/** Options of `embed()`. */
export interface EmbedOptions {
  /** Texts per forward pass; default 256. */
  batchSize?: number;
  /** L2-normalise the vectors; default false. */
  normalize?: boolean;
}

/**
 * A Siamese text-similarity model: a tokenizer and ONE shared encoder. Texts become vectors; similar texts get
 * similar vectors. Train it with {@link fit}, measure it with `evaluate`, and use it with `embed`, `similarity`,
 * `search`, `match` and `classify`. Save it with `saveModel` / `modelToBytes`.
 */
export class SiameseModel {
  readonly tokenizer: Tokenizer;
  readonly encoder: EncoderLike;
  similarityName: SimilarityName;
  maxLength: number;
  readonly ngrams: NgramOptions | undefined;
  threshold: { value: number; metric: string; score: number } | null;
  training: unknown;
  loss: { name: string; [k: string]: unknown } | null;
  id: string | undefined;

  constructor(parts: SiameseModelParts) {
    if (!parts?.tokenizer || !parts.encoder)
      throw new InvalidArgumentError('SiameseModel: expected {tokenizer, encoder}');
    this.tokenizer = parts.tokenizer;
    this.encoder = parts.encoder;
    this.similarityName = parts.similarity ?? 'cosine';
    this.maxLength = parts.maxLength ?? 64;
    this.ngrams = parts.ngrams;
    this.threshold = parts.threshold ?? null;
    this.training = parts.training;
    this.loss = parts.loss ?? null;
    this.id = parts.id;
  }

  /** Output dimension of the embeddings. */
  get dim(): number {
    return this.encoder.outputDim;
  }

  /** @internal Tokenizes and uploads a batch (the caller disposes it). */
  prepare(texts: readonly string[]): PreparedBatch {
    return prepareBatch(this.tokenizer, texts, this.maxLength, this.ngrams);
  }

  /** @internal Runs the encoder on a prepared batch (inside the caller's tidy/grad scope). */
  encodeTensor(batch: PreparedBatch, training = false, rng?: Rng): tf.Tensor2D {
    return this.encoder.encode(batch.input, { training, ...(rng ? { rng } : {}) });
  }

  /** Embeds texts as one row-major matrix (N×D), in input order. Batched and length-bucketed. */
  async embedMatrix(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
    checkTexts(texts, 'embed');
    const batchSize = options.batchSize ?? 256;
    const dim = this.dim;
    const out = new Float32Array(texts.length * dim);
    for (const bucket of lengthBuckets(this.tokenizer, texts, batchSize, this.maxLength)) {
      const batch = this.prepare(bucket.map((i) => texts[i]!));
      let values: Float32Array;
      try {
        const emb = tf.tidy(() => {
          const e = this.encodeTensor(batch);
          return options.normalize ? tf.div(e, tf.maximum(tf.norm(e, 'euclidean', 1, true), 1e-12)) : e;
        });
        values = (await emb.data()) as Float32Array;
        emb.dispose();
      } finally {
        batch.dispose();
      }
      bucket.forEach((orig, row) => {
        out.set(values.subarray(row * dim, (row + 1) * dim), orig * dim);
      });
    }
    return out;
  }

  /** Embeds texts: one Float32Array per text. */
  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const m = await this.embedMatrix(texts, options);
    const d = this.dim;
    return texts.map((_, i) => m.slice(i * d, (i + 1) * d));
  }

  /** Similarity of two texts (cosine by default: 1 = same direction). */
  async similarity(a: string, b: string): Promise<number> {
    const [va, vb] = await this.embed([a, b]);
    return vectorSimilarity(va!, vb!, this.similarityName);
  }

  /** Similarities of aligned pairs `a[i]`–`b[i]`. */
  async similarities(a: readonly string[], b: readonly string[]): Promise<Float32Array> {
    if (a.length !== b.length)
      throw new InvalidArgumentError(`similarities: ${a.length} left texts but ${b.length} right texts`);
    const m = await this.embedMatrix([...a, ...b]);
    const d = this.dim;
    const n = a.length;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = vectorSimilarity(
        m.subarray(i * d, (i + 1) * d),
        m.subarray((n + i) * d, (n + i + 1) * d),
        this.similarityName,
      );
    }
    return out;
  }

  /** Builds a search index over a corpus (normalised vectors; cosine search). */
  async buildIndex(corpus: readonly string[], options: EmbedOptions = {}): Promise<VectorIndex> {
    const index = new VectorIndex(this.dim, corpus.length);
    index.add(await this.embedMatrix(corpus, options), corpus);
    return index;
  }

  /** The `k` corpus texts most similar to `query`, best first. Pass a prebuilt index to search repeatedly. */
  async search(query: string, corpus: readonly string[] | VectorIndex, k = 5): Promise<SearchHit[]> {
    const index = corpus instanceof VectorIndex ? corpus : await this.buildIndex(corpus);
    const [q] = await this.embed([query]);
    return index.search(q!, k);
  }

  /**
   * Finds the similarity threshold that best separates labelled dev pairs (by F1 or accuracy), stores it in the
   * model (saved with it) and returns it.
   */
  async calibrateThreshold(
    pairs: readonly LabelledPair[] | readonly PairAsRead[],
    metric: 'f1' | 'accuracy' = 'f1',
  ): Promise<{ value: number; metric: string; score: number }> {
    const m = (await this.evaluate(pairs)) as BinaryMetrics;
    if (!('f1' in m))
      throw new InvalidArgumentError('calibrateThreshold: expected pairs with a binary `label`');
    this.threshold =
      metric === 'f1'
        ? { value: m.threshold, metric, score: m.f1 }
        : { value: m.accuracyThreshold, metric, score: m.accuracy };
    return this.threshold;
  }

  /**
   * The reference most similar to `text`, if its similarity reaches the threshold (the option, else the
   * calibrated one); otherwise `match: null` — the "no match" answer.
   */
  async match(
    text: string,
    references: readonly string[] | VectorIndex,
    options: { threshold?: number } = {},
  ): Promise<MatchResult> {
    const threshold = options.threshold ?? this.threshold?.value;
    if (threshold === undefined) {
      throw new InvalidArgumentError(
        'match: expected a threshold (pass {threshold} or call calibrateThreshold first)',
      );
    }
    const [best] = await this.search(text, references, 1);
    return { match: best && best.score >= threshold ? best : null, best: best ?? null, threshold };
  }

  /**
   * Few-shot classification: the label whose `k` most similar examples are, on average, most similar to
   * `text`. Default k = 3 (fewer if a label has fewer examples).
   */
  async classify(
    text: string,
    examples: readonly LabelledExample[],
    options: { k?: number } = {},
  ): Promise<ClassifyResult> {
    if (!examples.length) throw new InvalidArgumentError('classify: expected at least one labelled example');
    const k = options.k ?? 3;
    const m = await this.embedMatrix([text, ...examples.map((e) => e.text)]);
    const d = this.dim;
    const q = m.subarray(0, d);
    const byLabel = new Map<string, number[]>();
    examples.forEach((e, i) => {
      const s = vectorSimilarity(q, m.subarray((i + 1) * d, (i + 2) * d), this.similarityName);
      byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), s]);
    });
    const scores: Record<string, number> = {};
    let label = '';
    let score = Number.NEGATIVE_INFINITY;
    for (const [l, sims] of byLabel) {
      const top = sims.sort((a, b) => b - a).slice(0, k);
      const mean = top.reduce((a, b) => a + b, 0) / top.length;
      scores[l] = mean;
      if (mean > score) {
        score = mean;
        label = l;
      }
    }
    return { label, score, scores };
  }

  /**
   * Measures the model. Scored pairs → Pearson and Spearman; binary pairs → accuracy, F1, precision, recall and
   * average precision at the best threshold; triplets → accuracy; a retrieval task → recall@k, MRR@k, nDCG@k.
   * The result's type follows the data's: scored pairs give {@link CorrelationMetrics}, and so on.
   */
  evaluate(data: readonly ScoredPair[]): Promise<CorrelationMetrics>;
  evaluate(data: readonly LabelledPair[]): Promise<BinaryMetrics>;
  evaluate(data: readonly Triplet[]): Promise<TripletMetrics>;
  evaluate(data: RetrievalTask): Promise<RetrievalMetrics>;
  evaluate(data: EvaluationData): Promise<EvaluationMetrics>;
  async evaluate(data: EvaluationData): Promise<EvaluationMetrics> {
    const kind = detectKind(data);
    if (kind === 'retrieval') {
      const task = data as RetrievalTask;
      const k = task.k ?? 10;
      const index = await this.buildIndex(task.corpus);
      const queries = await this.embed(task.queries);
      const ranked = queries.map((q) => index.search(q, k).map((h) => h.index));
      return retrievalMetrics(
        ranked,
        task.relevant.map((r) => new Set(r)),
        k,
      );
    }
    if (kind === 'triplets') {
      const rows = data as readonly Triplet[];
      const pos = await this.similarities(
        rows.map((r) => r.anchor),
        rows.map((r) => r.positive),
      );
      const neg = await this.similarities(
        rows.map((r) => r.anchor),
        rows.map((r) => r.negative),
      );
      let correct = 0;
      for (let i = 0; i < rows.length; i++) if (pos[i]! > neg[i]!) correct++;
      return { accuracy: correct / rows.length, n: rows.length };
    }
    const rows = data as readonly (ScoredPair | LabelledPair)[];
    const sims = await this.similarities(
      rows.map((r) => r.text1),
      rows.map((r) => r.text2),
    );
    if (kind === 'scored')
      return correlationMetrics(
        sims,
        (rows as ScoredPair[]).map((r) => r.score),
      );
    return binaryMetrics(
      sims,
      (rows as LabelledPair[]).map((r) => r.label),
    );
  }

  /** Frees the encoder's weights. */
  dispose(): void {
    this.encoder.dispose();
  }
}

function checkTexts(texts: readonly string[], what: string): void {
  if (!Array.isArray(texts)) throw new TypeError(`${what}: texts: expected an array of strings`);
  texts.forEach((t, i) => {
    if (typeof t !== 'string')
      throw new TypeError(`${what}: texts[${i}]: expected a string, found ${typeof t}`);
  });
}
