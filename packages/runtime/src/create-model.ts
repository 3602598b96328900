import { assertBackendReady } from '@siamese/backend/internals';
import { SiameseError } from '@siamese/core';
import { type PresetName, presetEncoder } from '@siamese/encoders';
import {
  buildEmbeddingMatrix,
  type ModelTokenizer,
  Tokenizer,
  Vocabulary,
  type WordVectors,
} from '@siamese/tokenizer';
import { SiameseModel } from './model.js';

/**
 * The recipe `createModel` and the CLI default to: the best one measured on STS-B dev (docs/quality.md), a CNN
 * with CoSENT. It ties a BiLSTM with CoSENT on Spearman and trains about 3× faster.
 */
export const DEFAULT_RECIPE: { readonly preset: PresetName; readonly loss: 'coSENT' } = Object.freeze({
  preset: 'cnn',
  loss: 'coSENT',
});

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** The encoder, from the preset table (`PRESETS` of `@siamese/encoders`). Default `DEFAULT_RECIPE.preset`. */
  preset?: PresetName;
  /**
   * Texts the vocabulary is built from (usually both sides of the training pairs). Give these or `tokenizer`, not
   * both.
   */
  texts?: Iterable<string>;
  /**
   * Instead of `texts`, a ready tokenizer, saved with the model; its `vocabSize` sizes the table. Either a word
   * `Tokenizer` whose vocabulary is built already (e.g. with `Tokenizer.buildAsync` over a file streamed line by
   * line, `{ minFreq, maxSize: maxVocab }` as `createModel` would use; `vectors` still apply), or a pretrained
   * model's (e.g. `PretrainedTokenizer.fromVocabTxt(bertVocabTxt)`, with its table as `embeddings`).
   */
  tokenizer?: ModelTokenizer;
  /**
   * The initial token table for `tokenizer`, row-major `tokenizer.vocabSize × D` (row i is id i), e.g. BERT's
   * `embeddings.word_embeddings.weight` read with `parseSafetensors`: the seed's "GloVe or BERT" starting point
   * for any preset. D is its width (`embeddingDim` is ignored).
   */
  embeddings?: Float32Array;
  /**
   * Pretrained word vectors: their words join the vocabulary (up to `maxVectorWords`) and initialise the
   * embedding rows they cover; the others start random.
   */
  vectors?: WordVectors;
  /** Most words taken from the vector file beyond the corpus (default 50,000). */
  maxVectorWords?: number;
  /** Embedding width when there are no vectors (default 128). */
  embeddingDim?: number;
  /** The preset's layer width: LSTM hidden size, CNN filters per width, mean-pool projection. Default 128. */
  hidden?: number;
  /** Drop corpus words seen fewer times (default 1). */
  minFreq?: number;
  /**
   * Vocabulary cap, vector words included (default 100,000): the corpus words by frequency first, then the vector
   * file's words in file order (most frequent first for GloVe, word2vec, fastText).
   */
  maxVocab?: number;
  /** Update the embedding table while training (default true). */
  trainEmbeddings?: boolean;
  maxLength?: number;
  seed?: number;
  /** Progress notes (vocabulary size, vector coverage). */
  onInfo?: (message: string) => void;
}

/**
 * Builds an untrained model from a preset: a vocabulary from `texts` (plus the vector file's words), an
 * embedding initialised from `vectors` where they cover a word, and the preset's encoder on top.
 */
export function createModel(options: CreateModelOptions): SiameseModel {
  assertBackendReady('createModel');
  const { preset = DEFAULT_RECIPE.preset, seed = 42 } = options;
  if ((options.texts === undefined) === (options.tokenizer === undefined)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'createModel: expected either texts (to build the vocabulary from) or a tokenizer (built already), not both or neither',
    );
  }
  if (options.embeddings || (options.tokenizer && !(options.tokenizer instanceof Tokenizer))) {
    return withTokenizer(options, preset, seed);
  }
  const corpusTok =
    options.tokenizer instanceof Tokenizer
      ? options.tokenizer
      : Tokenizer.build(options.texts!, {
          minFreq: options.minFreq ?? 1,
          maxSize: options.maxVocab ?? 100_000,
        });
  let tokenizer = corpusTok;
  let pretrained: Float32Array | undefined;
  let dim = options.embeddingDim ?? 128;
  if (options.vectors) {
    const vectors = options.vectors;
    const corpusTokens = corpusTok.vocab.toArray();
    const seen = new Set(corpusTokens);
    const room = Math.max(0, (options.maxVocab ?? 100_000) - corpusTokens.length);
    const extra = vectors.words
      .filter((w) => !seen.has(w))
      .slice(0, Math.min(options.maxVectorWords ?? 50_000, room));
    const counts = [...corpusTokens.map((t) => corpusTok.vocab.count(t)), ...extra.map(() => 0)];
    const vocab = Vocabulary.fromTokens([...corpusTokens, ...extra], { counts });
    tokenizer = new Tokenizer(vocab, corpusTok.options);
    const m = buildEmbeddingMatrix(vocab, vectors, { missing: 'random', seed, std: 0.1 });
    pretrained = m.matrix;
    dim = m.dim;
    options.onInfo?.(
      `vocabulary ${vocab.size} (${corpusTok.vocab.size} from the corpus + ${extra.length} from the vectors); vectors cover ${m.coverage.types.covered}/${m.coverage.types.total} types`,
    );
  } else {
    options.onInfo?.(`vocabulary ${tokenizer.vocab.size} from the corpus; random ${dim}-d embeddings`);
  }
  const encoder = presetEncoder(preset, {
    vocabSize: tokenizer.vocab.size,
    embeddingDim: dim,
    ...(pretrained ? { pretrained } : {}),
    trainableEmbedding: options.trainEmbeddings ?? true,
    paddingIdx: 0,
    hidden: options.hidden ?? 128,
    seed,
  });
  return new SiameseModel({
    tokenizer,
    encoder,
    ...(options.maxLength ? { maxLength: options.maxLength } : {}),
  });
}

/** {@link createModel} over a given tokenizer (and its pretrained table, if any). */
function withTokenizer(options: CreateModelOptions, preset: PresetName, seed: number): SiameseModel {
  const { tokenizer, embeddings } = options;
  if (!tokenizer) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'createModel: embeddings need the tokenizer whose ids index their rows; pass tokenizer too',
    );
  }
  if (options.vectors) {
    // Word vectors are looked up by word in a word vocabulary; a pretrained table is already indexed by id.
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'createModel: vectors join a word vocabulary; with a pretrained tokenizer or embeddings, give the table as embeddings instead',
    );
  }
  const rows = tokenizer.vocabSize;
  let dim = options.embeddingDim ?? 128;
  if (embeddings) {
    if (!(embeddings instanceof Float32Array) || embeddings.length === 0 || embeddings.length % rows !== 0) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `createModel: embeddings: expected a Float32Array of ${rows} rows (the tokenizer's vocabSize) × D values, found ${embeddings instanceof Float32Array ? `${embeddings.length} values` : typeof embeddings}`,
        { details: { vocabSize: rows, length: (embeddings as { length?: number }).length } },
      );
    }
    dim = embeddings.length / rows;
  }
  options.onInfo?.(
    `vocabulary ${rows} from the tokenizer; ${embeddings ? `pretrained ${dim}-d embeddings` : `random ${dim}-d embeddings`}`,
  );
  // The SDK's word tokenizer keeps row 0 for padding; a pretrained table is kept as it is (pads are masked anyway).
  const padId = tokenizer instanceof Tokenizer ? 0 : null;
  const encoder = presetEncoder(preset, {
    vocabSize: rows,
    embeddingDim: dim,
    ...(embeddings ? { pretrained: embeddings } : {}),
    trainableEmbedding: options.trainEmbeddings ?? true,
    ...(padId === null ? {} : { paddingIdx: padId }),
    hidden: options.hidden ?? 128,
    seed,
  });
  return new SiameseModel({
    tokenizer,
    encoder,
    ...(options.maxLength ? { maxLength: options.maxLength } : {}),
  });
}
