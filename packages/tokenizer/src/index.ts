/**
 * @siamese/tokenizer: normalisation, word / WordPiece / hashed n-gram tokenization, vocabularies,
 * pretrained word vectors, and pretrained models' tokenizers (Hugging Face tokenizer.json, BERT vocab.txt). Pure TypeScript, no runtime dependencies beyond @siamese/core, edge-safe.
 */

export type { BatchShapeOptions, EncodedBatch } from './batch.js';
export type { TokenizerErrorCode, VectorProblem } from './errors.js';
export { type ModelTokenizer, type ModelTokenizerJSON, tokenizerFromJSON } from './model-tokenizer.js';
export { charNgramBuckets, fnv1a32, type NgramOptions, resolveNgramOptions } from './ngrams.js';
export {
  type AlignedText,
  type NormalizationForm,
  Normalizer,
  type NormalizerOptions,
  normalize,
} from './normalize.js';
export {
  PRETRAINED_TOKENIZER_FORMAT_VERSION,
  type PretrainedBatchOptions,
  type PretrainedEncodeOptions,
  PretrainedTokenizer,
  type PretrainedTokenizerJSON,
  type Word2IndexOptions,
  type WordPieceOptions,
} from './pretrained/pretrained-tokenizer.js';
export {
  WHITESPACE_TOKENIZER_FORMAT_VERSION,
  WhitespaceTokenizer,
  type WhitespaceTokenizerConfig,
  type WhitespaceTokenizerJSON,
} from './pretrained/whitespace-tokenizer.js';
export {
  type EncodeBatchOptions,
  TOKENIZER_FORMAT_VERSION,
  Tokenizer,
  type TokenizerJSON,
  type TokenizerOptions,
} from './tokenizer.js';
export {
  buildEmbeddingMatrix,
  type Coverage,
  type EmbeddingMatrix,
  type EmbeddingMatrixOptions,
  vocabularyFromVectors,
} from './vectors/matrix.js';
export { parseVectors, parseVectorsSync, type VectorParseOptions } from './vectors/parse.js';
export type { TextSource } from './vectors/source.js';
export { WordVectors } from './vectors/word-vectors.js';
export {
  compareCodePoints,
  PAD_TOKEN,
  UNK_TOKEN,
  VOCABULARY_FORMAT_VERSION,
  Vocabulary,
  type VocabularyBuildOptions,
  type VocabularyJSON,
} from './vocabulary.js';
export { type Token, WordTokenizer, type WordTokenizerOptions } from './word-tokenizer.js';
export { wordpieceSplit } from './wordpiece.js';
