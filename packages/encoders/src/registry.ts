import { defineRegistry, describeValue, type RegisterOptions, SiameseError } from '@siamese/core';
import { withParameterBudget } from './init.js';
import { type SequentialConfig, sequential } from './sequential.js';
import { stepFromConfig } from './step-registry.js';
import type { Encoder, EncoderConfig } from './types.js';

/** Given to encoder factories, so composite encoders can rebuild their children from the same registry. */
export interface EncoderFactoryContext {
  /** Rebuilds a nested encoder from its config. */
  fromConfig(config: EncoderConfig): Encoder;
}

/** Rebuilds an encoder of one type from its config (the whole config, `type` included), with fresh seeded weights. */
export type EncoderFactory = (config: EncoderConfig, context: EncoderFactoryContext) => Encoder;

function sequentialFromConfig(config: EncoderConfig): Encoder {
  const c = config as SequentialConfig;
  if (!Array.isArray(c.steps)) {
    throw SiameseError.expected(
      'E_ENCODER_CONFIG',
      'sequential config.steps',
      'an array of step configs',
      describeValue(c.steps),
    );
  }
  const steps = c.steps.map((step, i) => {
    try {
      return stepFromConfig(step);
    } catch (e) {
      // Say which step of the saved model failed; keep the code and details for callers.
      if (!SiameseError.is(e)) throw e;
      throw new SiameseError(e.code, `sequential.steps[${i}]: ${e.message}`, {
        ...(e.details ? { details: { ...e.details, step: i } } : { details: { step: i } }),
        cause: e,
      });
    }
  });
  return sequential(steps, c.seed === undefined ? {} : { seed: c.seed });
}

const encoders = defineRegistry<EncoderConfig, Encoder, EncoderFactoryContext>({
  kind: 'encoder',
  registerCall: 'registerEncoder',
  fromConfigCall: 'encoderFromConfig',
  configCode: 'E_ENCODER_CONFIG',
  builtins: () => [['sequential', sequentialFromConfig]],
});

const context: EncoderFactoryContext = { fromConfig: (config) => encoderFromConfig(config) };

/**
 * Registers an encoder type, so that `encoderFromConfig({ type, ... })`, and so model loading in
 * `@siamese/runtime`, can rebuild it. Registering an existing type replaces it. The registry is shared by
 * every installed copy of `@siamese/encoders`. (A `sequential` encoder needs no registration: register its
 * custom steps with `registerStep`.)
 *
 * @example
 * ```ts
 * registerEncoder('gru', (config) => new GruEncoder(config as GruConfig));
 * ```
 */
export function registerEncoder(type: string, factory: EncoderFactory, options?: RegisterOptions): void {
  encoders.register(type, factory, options);
}

/**
 * Rebuilds an encoder from `encoder.getConfig()` with fresh (seeded) weights; model loading then assigns the
 * saved values by name. An unregistered type throws `E_UNKNOWN_TYPE`, naming the type, the registered ones and
 * `registerEncoder`.
 */
export function encoderFromConfig(config: EncoderConfig, options: EncoderFromConfigOptions = {}): Encoder {
  const max = options.maxParameters;
  if (max !== undefined && !(Number.isSafeInteger(max) && max >= 0)) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'encoderFromConfig: maxParameters',
      'a non-negative integer',
      describeValue(max),
    );
  }
  return withParameterBudget(max, () => encoders.fromConfig(config, context));
}

/** Options of {@link encoderFromConfig}. */
export interface EncoderFromConfigOptions {
  /**
   * The most weight values the built-in steps may allocate; past it they throw `E_ENCODER_BUDGET` before
   * allocating. Model loading passes the number of values in the weights file, so a config that declares
   * larger weights than the file holds costs nothing.
   */
  maxParameters?: number;
}

/** The encoder types `encoderFromConfig` builds: `sequential`, then registered ones in registration order. */
export function registeredEncoders(): string[] {
  return encoders.names();
}
