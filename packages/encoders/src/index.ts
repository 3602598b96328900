/**
 * @siamese/encoders: sentence encoders on tfjs-core ops (embedding, LSTM/BiLSTM, CNN, pooling, dense,
 * normalize), composed with `sequential`; the `Encoder` and `Step` contracts with their registries; the preset
 * table. The contract test kit is `@siamese/encoders/testing`.
 *
 * @packageDocumentation
 */
export { ACTIVATIONS, type Activation } from './activation.js';
export type { EncoderErrorCode } from './errors.js';
export { DEFAULT_FOLD_MAX_BYTES, type FoldOptions } from './fold-cache.js';
export { type LstmDirectionOptions, type LstmDirectionWeights, lstmDirection } from './lstm-direction.js';
export { firstToken, maskedMax, maskedMean, zeroPads } from './masked.js';
export {
  type CnnPresetOptions,
  type LstmPresetOptions,
  PRESETS,
  type Preset,
  type PresetName,
  type PresetOptions,
  presetEncoder,
} from './presets.js';
export {
  type EncoderFactory,
  type EncoderFactoryContext,
  type EncoderFromConfigOptions,
  encoderFromConfig,
  registerEncoder,
  registeredEncoders,
} from './registry.js';
export { checkInput, type SequentialConfig, type SequentialOptions, sequential } from './sequential.js';
export type { BuildContext, Port, PortKind, RunContext, Step, StepConfig, StepSpec } from './step.js';
export { registeredSteps, registerStep, type StepFactory, stepFromConfig } from './step-registry.js';
export { type CnnOptions, cnn } from './steps/cnn.js';
export { type DenseOptions, dense } from './steps/dense.js';
export { type DropoutOptions, dropout, dropoutMask } from './steps/dropout.js';
export { type EmbeddingOptions, embedding } from './steps/embedding.js';
export { type HashedNgramEmbeddingOptions, hashedNgramEmbedding } from './steps/hashed-ngram-embedding.js';
export { type LstmOptions, lstm } from './steps/lstm.js';
export { l2Normalize, normalize } from './steps/normalize.js';
export { type PoolingMode, type PoolingOptions, pooling } from './steps/pooling.js';
export type { TokenTable } from './token-table.js';
export type { EncodeOptions, Encoder, EncoderConfig, EncoderInput } from './types.js';
