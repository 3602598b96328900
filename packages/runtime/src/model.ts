import { describeValue, SiameseError } from '@siamese/core';
import type { EncodeOptions, Encoder } from '@siamese/encoders';
import type { LossConfig, Similarity } from '@siamese/losses';
import type { ModelTokenizer, NgramOptions } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { keepsEmptyRows, lengthBuckets, prepareBatch } from './infer/batching.js';
import { type ClassifierContents, FewShotClassifier } from './infer/classify.js';
import type { VectorIndex } from './infer/vector-index.js';
import type { FitResult } from './train/events.js';
import { embedInThreads, embedThreads } from './train/parallel/embed.js';
import { closeThreads, threadsHeld } from './train/parallel/model-threads.js';

/** A decision threshold for `match`: the similarity at which two texts count as a match. */
export interface Threshold {
  value: number;
  /** What it was chosen to maximise on labelled pairs. */
  metric: 'f1' | 'accuracy';
  /** That metric's value at the threshold. */
  score: number;
}

/** Everything a model is made of. */
export interface SiameseModelParts {
  /** The word `Tokenizer`, or a pretrained model's (`PretrainedTokenizer`, `WhitespaceTokenizer`). */
  tokenizer: ModelTokenizer;
  /** The shared encoder: both texts of a pair go through the same weights. */
  encoder: Encoder;
  /** How vectors are compared (default `cosine`); `fit` sets it from the loss. */
  similarity?: Similarity;
  /** Longest input in tokens; longer texts are truncated. Default 64. */
  maxLength?: number;
  /** Hashed character n-grams fed to the encoder (`input.ngramIds`), if it uses them. */
  ngrams?: NgramOptions;
  /** Calibrated decision threshold for `match()`. */
  threshold?: Threshold | null;
  /** What `fit` reported, kept in saved models. */
  training?: FitResult | null;
  /** The loss the model was trained with (`fit` records it), so training can continue after a load. */
  loss?: LossConfig | null;
  /** Optional model id (defaults to a hash of the weights when saved). */
  id?: string;
  /** Inference folding of every `embed` call (see `EncodeOptions.fold`); a run-time choice, never saved. */
  fold?: EncodeOptions['fold'];
  /** Reference texts embedded by this model, packed with it (`packModel`), so a server embeds nothing at start. */
  index?: VectorIndex | null;
  /**
   * A few-shot classifier saved with the model (`saveModel(model, path, { classifier })`): its examples, their
   * vectors (this model's) and its settings. `model.classifier` classifies with them, embedding only the text.
   */
  classifier?: ClassifierContents | null;
}

/** Options of `embed()`. */
export interface EmbedOptions {
  /** Texts per forward pass; default 256. */
  batchSize?: number;
  /** L2-normalise the vectors; default false. */
  normalize?: boolean;
  /**
   * Threads sharing the texts, the calling one included (each embeds a contiguous share with its own copy of the
   * model). Default: the machine's cores for 4096 texts or more, else 1 (starting a thread and loading the model
   * into it takes a few hundred milliseconds). Runtimes without threads (Cloudflare Workers) use 1, and so does
   * a call made while another call holds the model's threads (a parallel `fit` evaluating its dev set, say),
   * rather than wait for them. The model keeps its threads for later calls (and `fit`); they never keep the
   * process alive, and `dispose()` terminates them.
   */
  workers?: number;
  /** A module each worker thread imports first: register custom encoders and steps there. */
  workerSetup?: string | URL;
  /**
   * Keep only the first `truncateDim` dimensions (before normalising), for models trained with
   * `MatryoshkaLoss`: smaller vectors, faster search. Default: all `model.dim`.
   */
  truncateDim?: number;
}

/** What training and calibration write into a model (and saving writes into its manifest). */
interface ModelRecord {
  similarity: Similarity;
  threshold: Threshold | null;
  training: FitResult | null;
  loss: LossConfig | null;
}

// A global symbol rather than a `#private` field: `fit` from one installed copy of this package must be able to
// record into a model built by another copy.
const RECORD: unique symbol = Symbol.for('siamese.model.record.v1') as never;

/**
 * A Siamese text-similarity model: a tokenizer, ONE shared encoder, and what its training recorded (how vectors
 * compare, the loss, a calibrated threshold). It turns texts into vectors; the free functions do the rest:
 * `fit`, `evaluate`, `similarity`, `search`, `match`, `classify`, `saveModel`.
 */
export class SiameseModel {
  readonly tokenizer: ModelTokenizer;
  readonly encoder: Encoder;
  /** Longest input in tokens; longer texts are truncated. */
  readonly maxLength: number;
  readonly ngrams: NgramOptions | undefined;
  readonly id: string | undefined;
  /** Inference folding of `embed` (see `EncodeOptions.fold`). */
  readonly fold: EncodeOptions['fold'];
  /** The reference index packed with the model (`siamese pack --references`), or null. */
  readonly index: VectorIndex | null;
  /** The few-shot classifier saved with the model (its examples already embedded), or null. */
  readonly classifier: FewShotClassifier | null;
  private readonly [RECORD]: ModelRecord;
  private released = false;

  constructor(parts: SiameseModelParts) {
    if (!parts?.tokenizer || !parts.encoder)
      throw new SiameseError('E_INVALID_ARGUMENT', 'SiameseModel: expected {tokenizer, encoder}');
    this.tokenizer = parts.tokenizer;
    this.encoder = parts.encoder;
    this.maxLength = parts.maxLength ?? 64;
    this.ngrams = parts.ngrams;
    this.id = parts.id;
    this.fold = parts.fold;
    this.index = parts.index ?? null;
    this[RECORD] = {
      similarity: parts.similarity ?? 'cosine',
      threshold: parts.threshold ?? null,
      training: parts.training ?? null,
      loss: parts.loss ?? null,
    };
    this.classifier = parts.classifier ? FewShotClassifier.fromContents(this, parts.classifier) : null;
  }

  /** Output dimension of the embeddings. */
  get dim(): number {
    return this.encoder.outputDim;
  }

  /** How this model's vectors are compared: `similarity`, `search`, `match` and `evaluate` all use it. */
  get similarity(): Similarity {
    return this[RECORD].similarity;
  }

  /** The calibrated decision threshold of `match`, or null. */
  get threshold(): Threshold | null {
    return this[RECORD].threshold;
  }

  /** What the last `fit` reported (history, best epoch, timings), or null. */
  get training(): FitResult | null {
    return this[RECORD].training;
  }

  /** The config of the loss the model was trained with, or null: `lossFromConfig(model.loss)` rebuilds it. */
  get loss(): LossConfig | null {
    return this[RECORD].loss;
  }

  /** Embeds texts as one row-major matrix (N×D), in input order. Batched and length-bucketed. */
  async embedMatrix(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array> {
    checkTexts(texts, 'embed');
    const batchSize = options.batchSize ?? 256;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1_000_000) {
      throw SiameseError.expected(
        'E_INVALID_ARGUMENT',
        'embed: batchSize',
        'an integer in [1, 1000000]',
        describeValue(batchSize),
      );
    }
    const dim = embedDim(this.dim, options.truncateDim);
    const threads = embedThreads(options.workers, texts.length);
    // Threads held by another call (a parallel fit evaluating its dev set) would never be released to this one.
    if (threads > 1 && !threadsHeld(this)) return embedInThreads(this, texts, threads, options);
    const out = new Float32Array(texts.length * dim);
    const keepEmpty = keepsEmptyRows(this.tokenizer, this.encoder);
    for (const bucket of lengthBuckets(this.tokenizer, texts, batchSize, this.maxLength)) {
      const batch = prepareBatch(
        this.tokenizer,
        bucket.map((i) => texts[i]!),
        this.maxLength,
        this.ngrams,
        keepEmpty,
      );
      let values: Float32Array;
      try {
        const emb = tf.tidy(() => {
          const full = this.encoder.encode(batch.input, this.fold === undefined ? {} : { fold: this.fold });
          const e = dim === this.dim ? full : tf.slice(full, [0, 0], [-1, dim]);
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
    const d = embedDim(this.dim, options.truncateDim);
    return texts.map((_, i) => m.slice(i * d, (i + 1) * d));
  }

  /**
   * Frees the encoder's weights and terminates the worker threads the model kept for parallel `embed` and
   * `fit` (see `EmbedOptions.workers`). The model cannot be used or saved afterwards (`E_MODEL_DISPOSED`).
   */
  dispose(): void {
    this.released = true;
    void closeThreads(this);
    this.encoder.dispose();
  }

  /** Whether {@link dispose} was called. */
  get disposed(): boolean {
    return this.released;
  }
}

/**
 * Records what training or calibration decided into a model. Internal to this package (`fit`,
 * `calibrateThreshold`); not exported from its entry.
 */
export function recordOnModel(model: SiameseModel, patch: Partial<ModelRecord>): void {
  const record = (model as unknown as Record<symbol, ModelRecord>)[RECORD];
  if (!record) throw new SiameseError('E_INVALID_ARGUMENT', 'expected a SiameseModel');
  Object.assign(record, patch);
}

/** The width `embed` returns: the model's, or `truncateDim` when given (checked). */
function embedDim(dim: number, truncateDim: number | undefined): number {
  if (truncateDim === undefined) return dim;
  if (!Number.isInteger(truncateDim) || truncateDim < 1 || truncateDim > dim) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `embed: truncateDim must be a whole number from 1 to the model's ${dim} dimensions, found ${truncateDim}`,
      { details: { truncateDim, dim } },
    );
  }
  return truncateDim;
}

function checkTexts(texts: readonly string[], what: string): void {
  if (!Array.isArray(texts))
    throw new SiameseError('E_INVALID_ARGUMENT', `${what}: texts: expected an array of strings`);
  texts.forEach((t, i) => {
    if (typeof t !== 'string') {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `${what}: texts[${i}]: expected a string, found ${typeof t}`,
        { details: { index: i } },
      );
    }
  });
}
