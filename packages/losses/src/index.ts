/**
 * Siamese / bi-encoder losses on tfjs-core, the {@link Loss} contract the trainer consumes, its registry, and
 * the {@link Similarity} vocabulary. The contract test kit is `@siamese/losses/testing`.
 *
 * @packageDocumentation
 */
export { BaseLoss } from './base-loss.js';
export { type CheckedBatch, checkBatch, requiredFields } from './batch.js';
export * as distances from './distances.js';
export type { LossErrorCode } from './errors.js';
export { AnglELoss, type AnglEOptions, angleSimilarity } from './losses/angle.js';
export { BatchAllTripletLoss, type BatchAllTripletOptions } from './losses/batch-all-triplet.js';
export { BatchHardTripletLoss, type BatchHardTripletOptions } from './losses/batch-hard-triplet.js';
export {
  BatchSemiHardTripletLoss,
  type BatchSemiHardTripletOptions,
} from './losses/batch-semi-hard-triplet.js';
export { ContrastiveLoss, type ContrastiveOptions } from './losses/contrastive.js';
export { CoSENTLoss, type CoSENTOptions } from './losses/cosent.js';
export { CosineSimilarityLoss, type CosineSimilarityOptions } from './losses/cosine-similarity.js';
export { MarginMSELoss, type MarginMSEOptions, MSELoss } from './losses/distillation.js';
export { MatryoshkaLoss, type MatryoshkaOptions } from './losses/matryoshka.js';
export { MultiSimilarityLoss, type MultiSimilarityOptions } from './losses/multi-similarity.js';
export {
  CachedMultipleNegativesRankingLoss,
  type CachedMultipleNegativesRankingOptions,
  MultipleNegativesRankingLoss,
  type MultipleNegativesRankingOptions,
} from './losses/multiple-negatives-ranking.js';
export { OnlineContrastiveLoss, type OnlineContrastiveOptions } from './losses/online-contrastive.js';
export { type SoftmaxHead, SoftmaxLoss, type SoftmaxOptions } from './losses/softmax.js';
export { defaultTripletMargin, TripletLoss, type TripletOptions } from './losses/triplet.js';
export { withoutGradient } from './no-grad.js';
export { OptionReader } from './options.js';
export { reduce } from './reduce.js';
export { type LossFactory, lossFromConfig, registeredLosses, registerLoss } from './registry.js';
export { isSimilarity, SIMILARITIES, type Similarity } from './similarity.js';
export type {
  BatchKind,
  GradCacheOptions,
  Loss,
  LossBatch,
  LossConfig,
  Reduction,
} from './types.js';
