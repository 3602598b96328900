import type { Activation } from './activation.js';
import type { FoldOptions } from './fold-cache.js';
import { sequential } from './sequential.js';
import type { StepSpec } from './step.js';
import { cnn } from './steps/cnn.js';
import { embedding } from './steps/embedding.js';
import { hashedNgramEmbedding } from './steps/hashed-ngram-embedding.js';
import { lstm } from './steps/lstm.js';
import { normalize } from './steps/normalize.js';
import { pooling } from './steps/pooling.js';
import type { Encoder } from './types.js';

/** Options shared by every preset: the token table and the seed. */
export interface PresetBaseOptions {
  vocabSize: number;
  embeddingDim: number;
  /** A pretrained row-major `vocabSize × embeddingDim` matrix (e.g. GloVe rows from `@siamese/tokenizer`). */
  pretrained?: Float32Array;
  /** Train the embedding table (default true). */
  trainableEmbedding?: boolean;
  /** Token id kept at zero (see `embedding`). */
  paddingIdx?: number;
  /** Adds fastText-style n-gram vectors with this many buckets (needs `input.ngramIds`). */
  ngramBuckets?: number;
  /** Appends `normalize()` (L2) after the encoder (default false). */
  normalize?: boolean;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Inference folding of the embedding into the first layer (see `SequentialOptions.fold`; default on). */
  fold?: boolean | FoldOptions;
}

/** Options of `presets.lstm` / `presets.bilstm`. */
export interface LstmPresetOptions extends PresetBaseOptions {
  hidden: number;
  layers?: number;
  /** Default `'last'` (final state, as the tutorial Siamese LSTM). */
  output?: 'last' | 'mean' | 'max';
  dropout?: number;
  /** Length-aware (default true). */
  packed?: boolean;
}

/** Options of `presets.cnn`. */
export interface CnnPresetOptions extends PresetBaseOptions {
  filters: number;
  kernelSizes?: number[];
  activation?: Activation;
}

function build(options: PresetBaseOptions, middle: StepSpec[]): Encoder {
  const steps: StepSpec[] = [
    embedding({
      vocabSize: options.vocabSize,
      dim: options.embeddingDim,
      init: options.pretrained ?? 'normal',
      ...(options.trainableEmbedding === undefined ? {} : { trainable: options.trainableEmbedding }),
      ...(options.paddingIdx === undefined ? {} : { paddingIdx: options.paddingIdx }),
    }),
  ];
  if (options.ngramBuckets !== undefined) {
    steps.push(hashedNgramEmbedding({ buckets: options.ngramBuckets, dim: options.embeddingDim }));
  }
  steps.push(...middle);
  if (options.normalize) steps.push(normalize());
  return sequential(steps, {
    seed: options.seed ?? 0,
    ...(options.fold === undefined ? {} : { fold: options.fold }),
  });
}

function lstmPreset(options: LstmPresetOptions, bidirectional: boolean): Encoder {
  return build(options, [
    lstm({
      hidden: options.hidden,
      bidirectional,
      ...(options.layers === undefined ? {} : { layers: options.layers }),
      ...(options.output === undefined ? {} : { output: options.output }),
      ...(options.dropout === undefined ? {} : { dropout: options.dropout }),
      ...(options.packed === undefined ? {} : { packed: options.packed }),
    }),
  ]);
}

/**
 * Ready-made encoders (each a `sequential`): `embedding → lstm`, `embedding → bilstm`, `embedding → cnn`,
 * `embedding → masked mean`. All take an optional pretrained matrix and are also registered as encoder types
 * (`encoderFromConfig({ type: 'lstm', vocabSize, embeddingDim, hidden })`).
 */
export const presets = {
  /** `embedding → lstm({hidden})`, output `[B, H]` (final state at each sentence's true length). */
  lstm: (options: LstmPresetOptions): Encoder => lstmPreset(options, false),
  /** `embedding → lstm({hidden, bidirectional: true})`, output `[B, 2H]` = `[forward, backward]`. */
  bilstm: (options: LstmPresetOptions): Encoder => lstmPreset(options, true),
  /** `embedding → cnn({filters, kernelSizes})`, output `[B, filters × widths]`. */
  cnn: (options: CnnPresetOptions): Encoder =>
    build(options, [
      cnn({
        filters: options.filters,
        ...(options.kernelSizes === undefined ? {} : { kernelSizes: options.kernelSizes }),
        ...(options.activation === undefined ? {} : { activation: options.activation }),
      }),
    ]),
  /** `embedding → pooling('mean')`, output `[B, embeddingDim]`. */
  meanpool: (options: PresetBaseOptions): Encoder => build(options, [pooling({ mode: 'mean' })]),
};
