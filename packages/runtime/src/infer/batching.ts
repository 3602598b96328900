import type { Encoder, EncoderInput } from '@siamese/encoders';
import {
  type EncodedBatch,
  type ModelTokenizer,
  type NgramOptions,
  PretrainedTokenizer,
  Tokenizer,
  WhitespaceTokenizer,
} from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Id written into texts that have no token at all, so every row has length ≥ 1 (no 0/0 in mean pooling): the
 * unknown token's, else the padding row (a pretrained tokenizer without an unknown token, or sentence-transformers'
 * `WhitespaceTokenizer`, whose row 0 is the padding vector).
 */
export function emptyRowId(tokenizer: ModelTokenizer): number {
  if (tokenizer instanceof Tokenizer) return tokenizer.vocab.unkId;
  if (tokenizer instanceof WhitespaceTokenizer) return 0;
  return tokenizer.unkId ?? tokenizer.padId ?? 0;
}

/**
 * Whether empty texts stay empty (no token, a zero vector): a pretrained tokenizer feeding a mean over its table,
 * as model2vec and sentence-transformers' `StaticEmbedding` compute it (their mean of no token is zero); and
 * sentence-transformers' CNN chains, whose CNN and Pooling see an all-pad row as nothing (a zero sequence, pooled
 * to zero), where a pad row fed as a token would be read, and trained, unlike in PyTorch. Other encoders need a
 * token per row (an LSTM's final state), and the SDK's own models keep their unknown-token vector.
 */
export function keepsEmptyRows(tokenizer: ModelTokenizer, encoder: Encoder | undefined): boolean {
  if (!encoder) return false;
  const config = encoder.getConfig() as {
    type: string;
    steps?: { type: string; mode?: string; output?: string }[];
  };
  const [first, second] = config.type === 'sequential' ? (config.steps ?? []) : [];
  if (first?.type !== 'embedding') return false;
  if (tokenizer instanceof PretrainedTokenizer) return second?.type === 'pooling' && second.mode === 'mean';
  return tokenizer instanceof WhitespaceTokenizer && second?.type === 'cnn' && second.output === 'sequence';
}

/** Encoder input tensors plus what is needed to dispose them. */
export interface PreparedBatch {
  input: EncoderInput;
  size: number;
  dispose(): void;
}

/** Host-side fix-up: empty rows get one token, `fill` (see {@link emptyRowId}). Mutates and returns `b`. */
export function ensureNonEmpty(b: EncodedBatch, fill: number): EncodedBatch {
  const [rows, T] = b.shape;
  for (let r = 0; r < rows; r++) {
    if (b.lengths[r] === 0) {
      b.lengths[r] = 1;
      b.ids[r * T] = fill;
      b.mask[r * T] = 1;
    }
  }
  return b;
}

/** Tokenizes texts and uploads the batch as encoder input tensors. */
export function prepareBatch(
  tokenizer: ModelTokenizer,
  texts: readonly string[],
  maxLength: number,
  ngrams?: NgramOptions,
  keepEmpty = false,
): PreparedBatch {
  const encoded =
    tokenizer instanceof Tokenizer
      ? tokenizer.encodeBatch(texts, { maxLength, truncation: true, ...(ngrams ? { ngrams } : {}) })
      : tokenizer.encodeBatch(texts, { maxLength, truncation: true });
  const enc = keepEmpty ? encoded : ensureNonEmpty(encoded, emptyRowId(tokenizer));
  const [B, T] = enc.shape;
  const ids = tf.tensor2d(enc.ids, [B, T], 'int32');
  const mask = tf.tensor2d(Float32Array.from(enc.mask), [B, T], 'float32');
  const ngramIds =
    enc.ngramIds && enc.ngramShape ? tf.tensor3d(enc.ngramIds, enc.ngramShape, 'int32') : undefined;
  const input: EncoderInput = { ids, mask, lengths: enc.lengths, ...(ngramIds ? { ngramIds } : {}) };
  return {
    input,
    size: B,
    dispose: () => tf.dispose([ids, mask, ...(ngramIds ? [ngramIds] : [])]),
  };
}

/** What {@link modelBatch} reads of a model (a structural type: this module does not import the model). */
export interface BatchSource {
  readonly tokenizer: ModelTokenizer;
  readonly encoder: Encoder;
  readonly maxLength: number;
  readonly ngrams?: NgramOptions | undefined;
}

/** {@link prepareBatch} with a model's own tokenizer, length, n-grams and empty-row rule. */
export function modelBatch(model: BatchSource, texts: readonly string[]): PreparedBatch {
  return prepareBatch(
    model.tokenizer,
    texts,
    model.maxLength,
    model.ngrams,
    keepsEmptyRows(model.tokenizer, model.encoder),
  );
}

/**
 * Orders text indices by token count so each inference batch holds similar lengths (less padding), and returns
 * the batches of original indices.
 */
export function lengthBuckets(
  tokenizer: ModelTokenizer,
  texts: readonly string[],
  batchSize: number,
  maxLength: number,
): number[][] {
  const lens = texts.map((t) => Math.min(maxLength, tokenizer.encode(t).length));
  const order = texts.map((_, i) => i).sort((a, b) => lens[a]! - lens[b]! || a - b);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}
