/**
 * @siamese/pairs: data sets, pair and triplet generation, leakage-safe splits, batch samplers and online
 * mining. Pure TypeScript, no dependencies beyond `@siamese/core`, runs on every JavaScript runtime.
 */

export { symmetricPairs } from './augment.js';
export type { BucketSamplerOptions, PaddingReport } from './bucket-sampler.js';
export { BucketSampler } from './bucket-sampler.js';
export type { ColumnMap, PairField } from './columns.js';
export { COLUMN_ALIASES } from './columns.js';
export { parseDecimal } from './decimal.js';
export type { DedupeOptions } from './dedupe.js';
export { dedupePairs } from './dedupe.js';
export type { DatasetErrorCode, DatasetLocation, DatasetProblem } from './errors.js';
export { isDatasetError } from './errors.js';
export type { GeneratorOptions, PairsFromLabelsOptions } from './labelled.js';
export { pairsFromLabels, tripletsFromLabels } from './labelled.js';
export { LineSplitter } from './line-splitter.js';
export type { MPerClassOptions } from './m-per-class-sampler.js';
export { MPerClassSampler } from './m-per-class-sampler.js';
export type { HardNegatives, TripletIndices } from './mining.js';
export { batchAllTriplets, batchHardTriplets, hardNegatives, semiHardTriplets } from './mining.js';
export type { NoDuplicatesOptions } from './no-duplicates-sampler.js';
export { NoDuplicatesSampler } from './no-duplicates-sampler.js';
export type { TextNormalizer } from './normalize-text.js';
export { normalizeText } from './normalize-text.js';
export type { PaddingStats } from './padding.js';
export { paddingStats } from './padding.js';
export { PairParser } from './pair-parser.js';
export type { PairRecord, PairsResult, ReadReport, RecordOf } from './pair-record.js';
export type { RandomSamplerOptions } from './random-sampler.js';
export { RandomSampler } from './random-sampler.js';
export type { DatasetFormat, ReadPairsOptions } from './read-options.js';
export { pairsFromObjects, parsePairs, readPairs, streamPairs } from './read-pairs.js';
export type { ReadRowsOptions, TableRow } from './read-rows.js';
export { parseRows, streamRows } from './read-rows.js';
export type { LabelledPair, LabelledText, ScoredPair, TextPair, Triplet } from './records.js';
export type { RawRow, RowTokenizerOptions } from './row-tokenizer.js';
export { RowTokenizer } from './row-tokenizer.js';
export type { BatchOptions, Sampler } from './sampler.js';
export { batchItems, collectBatches } from './sampler.js';
export type { ScoreScale } from './scores.js';
export { normalizeScores, observedScoreRange } from './scores.js';
export { epochRng, epochSeed } from './seed.js';
export type { SplitOptions, SplitReport } from './splits.js';
export { filterLeakage, findLeakage, splitPairs } from './splits.js';
export type { TextInput } from './text-input.js';
export { textChunks } from './text-input.js';
export { UnionFind } from './union-find.js';
export { type InvalidUtf8, Utf8Check } from './utf8-check.js';
