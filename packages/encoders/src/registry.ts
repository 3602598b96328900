import { describeValue } from '@siamese/core';
import { EncoderConfigError } from './errors.js';
import type { FoldOptions } from './fold-cache.js';
import { presets } from './presets.js';
import { type SequentialConfig, sequential } from './sequential.js';
import { stepFromConfig } from './step-registry.js';
import type { Encoder, EncoderConfig } from './types.js';

/** Given to encoder factories, so composite encoders can rebuild their children. */
export interface EncoderFactoryContext {
  /** Rebuilds a nested encoder from its config (same registry). */
  fromConfig(config: EncoderConfig): Encoder;
  /** The caller's inference-folding choice ({@link EncoderFromConfigOptions.fold}); undefined = the default. */
  fold?: boolean | FoldOptions;
}

/** Options of {@link encoderFromConfig}: run-time choices that are not part of a config. */
export interface EncoderFromConfigOptions {
  /**
   * Inference folding of the embedding into a following LSTM/CNN (`sequential`'s `fold`): `false` turns it off,
   * `{ maxBytes }` caps the folded tables of one layer (default 128 MiB). Lower it where memory is tight (Workers).
   */
  fold?: boolean | FoldOptions;
}

/** Rebuilds an encoder of one type from its config, with fresh seeded weights. */
export type EncoderFactory = (config: EncoderConfig, ctx: EncoderFactoryContext) => Encoder;

// Preset factories validate their own options.
const preset =
  (f: (o: any) => Encoder): EncoderFactory =>
  (config, ctx) =>
    f(ctx.fold === undefined ? config : { ...config, fold: ctx.fold });

const builtins: Record<string, EncoderFactory> = {
  sequential: (config, ctx) => {
    const c = config as SequentialConfig;
    if (!Array.isArray(c.steps)) {
      throw new EncoderConfigError(
        'sequential config.steps',
        'an array of step configs',
        describeValue(c.steps),
      );
    }
    return sequential(
      c.steps.map((s, i) => stepFromConfig(s, i)),
      {
        ...(c.seed === undefined ? {} : { seed: c.seed }),
        ...(ctx.fold === undefined ? {} : { fold: ctx.fold }),
      },
    );
  },
  lstm: preset(presets.lstm),
  bilstm: preset(presets.bilstm),
  cnn: preset(presets.cnn),
  meanpool: preset(presets.meanpool),
};

const custom = new Map<string, EncoderFactory>();

/**
 * Registers an encoder type, so `encoderFromConfig({ type, ... })` (and therefore model loading in
 * `@siamese/runtime`) can rebuild it. Registering an existing type replaces it (built-ins included).
 *
 * @example
 * ```ts
 * registerEncoder('gru', (config) => new GruEncoder(config as GruConfig));
 * ```
 */
export function registerEncoder(type: string, fromConfig: EncoderFactory): void {
  if (typeof type !== 'string' || type.length === 0) {
    throw new EncoderConfigError('registerEncoder type', 'a non-empty string', describeValue(type));
  }
  if (typeof fromConfig !== 'function') {
    throw new EncoderConfigError('registerEncoder fromConfig', 'a function', describeValue(fromConfig));
  }
  custom.set(type, fromConfig);
}

/** Types `encoderFromConfig` can build, built-ins first. */
export function registeredEncoderTypes(): string[] {
  return [...new Set([...Object.keys(builtins), ...custom.keys()])];
}

/**
 * Rebuilds an encoder from `encoder.getConfig()` with fresh (seeded) weights. To restore a trained model,
 * then assign the saved values by name: `enc.weights().get(name)!.assign(saved)`.
 */
export function encoderFromConfig(config: EncoderConfig, options: EncoderFromConfigOptions = {}): Encoder {
  if (!config || typeof config !== 'object' || typeof config.type !== 'string') {
    throw new EncoderConfigError('encoder config', 'an object with a string "type"', describeValue(config));
  }
  const factory = custom.get(config.type) ?? builtins[config.type];
  if (!factory) {
    throw new EncoderConfigError(
      'encoder config.type',
      `a registered type (${registeredEncoderTypes().join(', ')})`,
      JSON.stringify(config.type),
    );
  }
  return factory(config, {
    fromConfig: (c) => encoderFromConfig(c, options),
    ...(options.fold === undefined ? {} : { fold: options.fold }),
  });
}
