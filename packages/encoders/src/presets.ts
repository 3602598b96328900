import { SiameseError } from '@siamese/core';
import type { Activation } from './activation.js';
import { sequential } from './sequential.js';
import type { StepSpec } from './step.js';
import { cnn } from './steps/cnn.js';
import { dense } from './steps/dense.js';
import { embedding } from './steps/embedding.js';
import { hashedNgramEmbedding } from './steps/hashed-ngram-embedding.js';
import { lstm } from './steps/lstm.js';
import { normalize } from './steps/normalize.js';
import { pooling } from './steps/pooling.js';
import type { Encoder } from './types.js';

/** Options every preset takes: the token table, the width of its layer, and the seed. */
export interface PresetOptions {
  vocabSize: number;
  embeddingDim: number;
  /** A pretrained row-major `vocabSize × embeddingDim` matrix (e.g. GloVe rows from `@siamese/tokenizer`). */
  pretrained?: Float32Array;
  /** Train the embedding table (default true). */
  trainableEmbedding?: boolean;
  /** Token id kept at zero (see `embedding`). */
  paddingIdx?: number;
  /**
   * Width of the preset's layer (default 128): the LSTM hidden size per direction, the CNN filters per kernel
   * width, the mean-pool projection.
   */
  hidden?: number;
  /** Adds fastText-style n-gram vectors with this many buckets (needs `input.ngramIds`). */
  ngramBuckets?: number;
  /** Appends `normalize()` (L2) after the encoder (default false). */
  normalize?: boolean;
  /** Seed of the initial weights (default 0). */
  seed?: number;
}

/** Options of the `lstm` and `bilstm` presets. */
export interface LstmPresetOptions extends PresetOptions {
  layers?: number;
  /** What the LSTM returns: default `'last'` for `lstm`, `'max'` for `bilstm` (see `lstm`'s `output`). */
  output?: 'last' | 'mean' | 'max';
  dropout?: number;
  /** Length-aware (default true). */
  packed?: boolean;
}

/** Options of the `cnn` preset. */
export interface CnnPresetOptions extends PresetOptions {
  /** Default `[1, 2, 3]`. */
  kernelSizes?: number[];
  /** Default `'relu'`. */
  activation?: Activation;
}

/** One ready-made encoder recipe: a one-line description and the builder. */
export interface Preset<O extends PresetOptions = PresetOptions> {
  /** What it builds, for docs and `--help`. */
  readonly description: string;
  /** Builds the (untrained, seeded) encoder: always a `sequential`, so a saved model needs no registration. */
  build(options: O): Encoder;
}

const DEFAULT_HIDDEN = 128;

function build(options: PresetOptions, middle: StepSpec[]): Encoder {
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
  for (const step of middle) steps.push(step);
  if (options.normalize) steps.push(normalize());
  return sequential(steps, { seed: options.seed ?? 0 });
}

function lstmPreset(options: LstmPresetOptions, bidirectional: boolean): Encoder {
  return build(options, [
    lstm({
      hidden: options.hidden ?? DEFAULT_HIDDEN,
      bidirectional,
      output: options.output ?? (bidirectional ? 'max' : 'last'),
      ...(options.layers === undefined ? {} : { layers: options.layers }),
      ...(options.dropout === undefined ? {} : { dropout: options.dropout }),
      ...(options.packed === undefined ? {} : { packed: options.packed }),
    }),
  ]);
}

/**
 * The ready-made encoders, in one table: `createModel({ preset })` and the CLI's `--encoder` build from it, and
 * docs/encoders.md lists it. Every preset is a `sequential` of built-in steps, so saved models load with no
 * registration, and none of these names is an encoder `type`.
 */
export const PRESETS: {
  readonly lstm: Preset<LstmPresetOptions>;
  readonly bilstm: Preset<LstmPresetOptions>;
  readonly cnn: Preset<CnnPresetOptions>;
  readonly meanpool: Preset<PresetOptions>;
} = Object.freeze({
  lstm: {
    description: 'embedding → LSTM, final state at each true length; [B, hidden]',
    build: (options: LstmPresetOptions) => lstmPreset(options, false),
  },
  bilstm: {
    description: 'embedding → BiLSTM, max over time; [B, 2·hidden]',
    build: (options: LstmPresetOptions) => lstmPreset(options, true),
  },
  cnn: {
    description: 'embedding → CNN (widths 1, 2, 3, ReLU), max over time; [B, 3·hidden]',
    build: (options: CnnPresetOptions) =>
      build(options, [
        cnn({
          filters: options.hidden ?? DEFAULT_HIDDEN,
          kernelSizes: options.kernelSizes ?? [1, 2, 3],
          activation: options.activation ?? 'relu',
        }),
      ]),
  },
  meanpool: {
    description: 'embedding → masked mean → dense (tanh); [B, hidden]',
    build: (options: PresetOptions) =>
      build(options, [
        pooling({ mode: 'mean' }),
        dense({ units: options.hidden ?? DEFAULT_HIDDEN, activation: 'tanh' }),
      ]),
  },
});

/** A name of {@link PRESETS}. */
export type PresetName = keyof typeof PRESETS;

/** Builds the preset `name`, with an error listing the presets when there is no such preset. */
export function presetEncoder(name: PresetName, options: PresetOptions): Encoder {
  const preset = Object.hasOwn(PRESETS, name) ? (PRESETS[name] as Preset) : undefined;
  if (!preset) {
    throw SiameseError.expected(
      'E_ENCODER_CONFIG',
      'preset',
      `one of ${Object.keys(PRESETS).join(', ')}`,
      JSON.stringify(name),
    );
  }
  return preset.build(options);
}
