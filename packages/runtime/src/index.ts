/**
 * @siamese/runtime: assemble, train, evaluate, save, load and serve Siamese text-similarity models.
 *
 * @packageDocumentation
 */
export { type BackendInfo, type InitBackendOptions, initBackend } from '@siamese/backend';
export { type CreateModelOptions, createModel, DEFAULT_RECIPE } from './create-model.js';
export type { RuntimeErrorCode } from './errors.js';
export { type BinaryMetrics, binaryMetrics } from './eval/binary.js';
export {
  type CommunityDetectionOptions,
  communityDetection,
  communityDetectionVectors,
} from './eval/community-detection.js';
export { pearson, spearman } from './eval/correlation.js';
export {
  type CorrelationMetrics,
  type EvaluationData,
  type EvaluationMetrics,
  evaluate,
  type RetrievalTask,
  type TripletMetrics,
} from './eval/evaluate.js';
export {
  type Paraphrase,
  type ParaphraseMiningOptions,
  paraphraseMining,
  paraphraseMiningVectors,
} from './eval/paraphrase-mining.js';
export {
  type ParaphraseMiningMetrics,
  type ParaphraseTask,
  scoreMinedPairs,
} from './eval/paraphrase-task.js';
export { type RerankingMetrics, type RerankingSample, rerankingMetrics } from './eval/reranking.js';
export {
  RETRIEVAL_METRICS,
  type RetrievalMetricName,
  type RetrievalMetrics,
  retrievalMetrics,
} from './eval/retrieval.js';
export {
  type ClassifierCalibration,
  type ClassifierContents,
  type ClassifyOptions,
  type ClassifyResult,
  classify,
  FewShotClassifier,
  rejectThreshold,
} from './infer/classify.js';
export { similarities, similarity } from './infer/compare.js';
export { INDEX_FORMAT_VERSION, indexFromBytes, indexToBytes } from './infer/index-format.js';
export { calibrateThreshold, type MatchOptions, type MatchResult, match } from './infer/match.js';
export type { Calibration, IndexPrecision } from './infer/quantize.js';
export { type BuildIndexOptions, buildIndex, type SearchOptions, search } from './infer/search.js';
export {
  DEFAULT_RESCORE,
  type RescoreTier,
  VectorIndex,
  type VectorIndexOptions,
} from './infer/vector-index.js';
export { vectorSimilarity } from './infer/vector-similarity.js';
export type { Awaitable, SearchHit, VectorSearchOptions, VectorStore } from './infer/vector-store.js';
export { type InferArchitectureOptions, inferArchitecture } from './interop/architecture.js';
export {
  type ExportPretrainedOptions,
  exportPretrained,
  type ImportPretrainedOptions,
  importPretrained,
  type PretrainedFiles,
  type PretrainedFormat,
  type PretrainedSource,
  savePretrained,
} from './interop/pretrained.js';
export {
  exportTorch,
  type ImportTorchOptions,
  importTorch,
  TORCH_METADATA,
  type TorchExport,
  type TorchVocab,
} from './interop/torch.js';
export type { ClassifierEntry } from './io/classifier-format.js';
export {
  MODEL_FILE_LIMITS,
  MODEL_FORMAT_VERSION,
  type ModelManifest,
  type PackedIndexEntry,
  type WeightEntry,
} from './io/format.js';
export { DEFAULT_MODEL_LIMITS, MAX_MODEL_BYTES, type ModelLimits } from './io/limits.js';
export {
  type LoadModelOptions,
  loadModel,
  type ModelSource,
  modelFromBytes,
  modelToBytes,
  saveModel,
  type WriteModelOptions,
} from './io/model-io.js';
export { type PackedModel, type PackModelOptions, packModel } from './io/pack.js';
export { WEIGHTS_ENCODINGS, type WeightsEncoding } from './io/weight-codecs.js';
export { type EmbedOptions, SiameseModel, type SiameseModelParts, type Threshold } from './model.js';
export { keptTokenIds, pruneVocabulary } from './prune-vocabulary.js';
export {
  type CheckpointStore,
  folderCheckpoints,
  type SavedTensor,
  type TrainerCheckpoint,
} from './train/checkpoints.js';
export type { TrainData } from './train/data-source.js';
export type { DevSets } from './train/dev-sets.js';
export { type Teacher, type TeacherOptions, teacherMargins, teacherVectors } from './train/distill.js';
export type { BatchEvent, BestEpoch, EpochEvent, FitResult } from './train/events.js';
export { type FitOptions, fit } from './train/fit.js';
export { type MineOptions, type MineReport, mineHardNegatives } from './train/mine.js';
export { type ExampleSource, POSITIVE_SCORE, type TrainExample } from './train/prepare-data.js';
export {
  DEFAULT_M,
  defaultSampler,
  registeredSamplers,
  registerSampler,
  type SamplerConfig,
  type SamplerContext,
  type SamplerFactory,
  samplerFromConfig,
} from './train/samplers.js';
export { type LrSchedule, learningRateAt } from './train/schedule.js';
