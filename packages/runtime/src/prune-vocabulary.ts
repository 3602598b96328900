import { SiameseError } from '@siamese/core';
import { type EncoderConfig, encoderFromConfig } from '@siamese/encoders';
import { Tokenizer, type Vocabulary, Vocabulary as VocabularyClass } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { SiameseModel } from './model.js';
import { tokenTables } from './token-tables.js';

/**
 * The ids a vocabulary keeps under a cap, in their original order: the special tokens, then the corpus words by
 * frequency, then the words that only came from a vector file (count 0) in their file order, which for GloVe,
 * word2vec and fastText is frequency order. So the cap keeps "corpus words plus the top-N vector words".
 */
export function keptTokenIds(vocab: Vocabulary, maxVocab: number): number[] {
  const ids = Array.from({ length: vocab.size }, (_, i) => i);
  const specials = ids.filter((i) => vocab.specialIds.has(i));
  if (!Number.isInteger(maxVocab) || maxVocab < specials.length) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'maxVocab',
      `an integer ≥ ${specials.length} (the special tokens)`,
      String(maxVocab),
    );
  }
  const words = ids.filter((i) => !vocab.specialIds.has(i));
  const corpus = words
    .filter((i) => vocab.count(i) > 0)
    .sort((a, b) => vocab.count(b) - vocab.count(a) || a - b);
  const vectorOnly = words.filter((i) => vocab.count(i) <= 0);
  return [...specials, ...corpus, ...vectorOnly].slice(0, maxVocab).sort((a, b) => a - b);
}

/**
 * A copy of `model` whose vocabulary holds at most `maxVocab` tokens (see {@link keptTokenIds}); the rows of its
 * token tables follow. Words left out become `[UNK]`. The original model is untouched. Needs an encoder whose
 * token tables are `embedding` steps (every preset).
 */
export function pruneVocabulary(model: SiameseModel, maxVocab: number): SiameseModel {
  const vocab = model.tokenizer.vocab;
  const kept = keptTokenIds(vocab, maxVocab);
  const config = structuredClone(model.encoder.getConfig()) as EncoderConfig;
  const tables = tokenTables(config);
  if (!tables.length) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `pruneVocabulary: the ${config.type} encoder has no embedding step whose rows follow the vocabulary; nothing to prune`,
    );
  }
  for (const { step } of tables) {
    if (step.vocabSize !== vocab.size) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `pruneVocabulary: an embedding has ${step.vocabSize} rows, the vocabulary ${vocab.size} tokens`,
      );
    }
    step.vocabSize = kept.length;
    if (typeof step.paddingIdx === 'number') step.paddingIdx = kept.indexOf(step.paddingIdx);
  }
  const json = vocab.toJSON();
  const pruned = VocabularyClass.fromJSON({
    ...json,
    tokens: kept.map((i) => json.tokens[i]!),
    counts: kept.map((i) => json.counts[i]!),
  });
  const tableNames = new Set(tables.map((t) => t.weight));
  const encoder = encoderFromConfig(config);
  const source = model.encoder.weights();
  try {
    const keptIds = tf.tensor1d(kept, 'int32');
    for (const [name, v] of encoder.weights()) {
      const from = source.get(name);
      if (!from) throw new SiameseError('E_MODEL_MISMATCH', `pruneVocabulary: weight "${name}" is missing`);
      tf.tidy(() => v.assign(tableNames.has(name) ? tf.gather(from, keptIds) : from));
    }
    keptIds.dispose();
  } catch (e) {
    encoder.dispose();
    throw e;
  }
  return new SiameseModel({
    tokenizer: new Tokenizer(pruned, model.tokenizer.options),
    encoder,
    similarity: model.similarity,
    maxLength: model.maxLength,
    ...(model.ngrams ? { ngrams: model.ngrams } : {}),
    threshold: model.threshold,
    training: model.training,
    loss: model.loss,
    ...(model.id === undefined ? {} : { id: model.id }),
    ...(model.fold === undefined ? {} : { fold: model.fold }),
  });
}
