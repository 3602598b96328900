/**
 * @siamese/sdk: build, train and serve Siamese (bi-encoder) text-similarity models in TypeScript. What an
 * application uses, in one import: create, fit, evaluate, save, load, embed, search; the contracts and the
 * register functions of every extension point. Building blocks live in their packages (`@siamese/encoders`,
 * `@siamese/losses`, `@siamese/pairs`, `@siamese/tokenizer`); files are read by `@siamese/sdk/node`.
 *
 * @packageDocumentation
 */
export { SiameseError } from '@siamese/core';
export {
  type Encoder,
  type PresetName,
  registerEncoder,
  registerStep,
  type StepSpec,
} from '@siamese/encoders';
export { type Loss, type LossConfig, lossFromConfig, registerLoss, type Similarity } from '@siamese/losses';
export {
  type LabelledPair,
  type LabelledText,
  readPairs,
  type ScoredPair,
  type TextPair,
  type Triplet,
} from '@siamese/pairs';
export {
  buildIndex,
  type CreateModelOptions,
  calibrateThreshold,
  classify,
  createModel,
  evaluate,
  type FitOptions,
  type FitResult,
  fit,
  folderCheckpoints,
  initBackend,
  loadModel,
  match,
  modelToBytes,
  type RetrievalTask,
  type SearchHit,
  SiameseModel,
  saveModel,
  search,
  similarity,
  type Threshold,
  VectorIndex,
} from '@siamese/runtime';
export { parseVectors } from '@siamese/tokenizer';
