/**
 * @siamese/runtime: assemble, train, evaluate, save, load and serve Siamese text-similarity models.
 * Re-exports the backend layer, so `initBackend()` comes with it.
 */
export * from '@siamese/backend';
export type { BatchKind, EncoderInput, EncoderLike, LossBatch, LossLike } from './contracts.js';
export { type BinaryMetrics, binaryMetrics } from './eval/binary.js';
export { pearson, ranks, spearman } from './eval/correlation.js';
export type {
  CorrelationMetrics,
  EvaluationData,
  EvaluationMetrics,
  LabelledPair,
  PairAsRead,
  RetrievalTask,
  ScoredPair,
  Triplet,
  TripletMetrics,
} from './eval/evaluate.js';
export { type RetrievalMetrics, retrievalMetrics } from './eval/retrieval.js';
export type { ClassifyResult, LabelledExample, MatchResult } from './infer/answers.js';
export type { SimilarityName } from './infer/similarity.js';
export { vectorSimilarity } from './infer/similarity.js';
export { type SearchHit, TopK, VectorIndex } from './infer/vector-index.js';
export { ModelFormatError } from './io/errors.js';
export { MODEL_FORMAT_VERSION, type ModelManifest, type WeightEntry } from './io/format.js';
export {
  type LoadModelOptions,
  loadModel,
  type ModelSource,
  modelFromBytes,
  modelToBytes,
  saveModel,
} from './io/model-io.js';
export { type EmbedOptions, SiameseModel, type SiameseModelParts } from './model.js';
export {
  type CreateModelOptions,
  createModel,
  type LossName,
  lossForName,
  type PresetName,
} from './presets.js';
export { folderCheckpoints } from './train/checkpoints.js';
export { POSITIVE_SCORE, type TrainExample } from './train/examples.js';
export { type LrSchedule, learningRateAt } from './train/schedule.js';
export {
  type BatchEvent,
  type CheckpointStore,
  clipByGlobalNorm,
  type EpochEvent,
  type FitOptions,
  type FitResult,
  fit,
  type TrainerCheckpoint,
  TrainingAbortedError,
} from './train/trainer.js';
