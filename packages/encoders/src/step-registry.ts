import { defineRegistry, type RegisterOptions } from '@siamese/core';
import type { StepConfig, StepSpec } from './step.js';
import { cnn } from './steps/cnn.js';
import { dense } from './steps/dense.js';
import { dropout } from './steps/dropout.js';
import { embedding } from './steps/embedding.js';
import { hashedNgramEmbedding } from './steps/hashed-ngram-embedding.js';
import { lstm } from './steps/lstm.js';
import { normalize } from './steps/normalize.js';
import { pooling } from './steps/pooling.js';

/** Rebuilds a step description from its JSON config (the whole config, `type` included). */
export type StepFactory = (config: StepConfig) => StepSpec;

// A config is `{ type, ...options }`; the built-in builders ignore the `type` key.
const steps = defineRegistry<StepConfig, StepSpec, undefined>({
  kind: 'step',
  registerCall: 'registerStep',
  fromConfigCall: 'stepFromConfig',
  configCode: 'E_ENCODER_CONFIG',
  builtins: () => [
    ['embedding', (c) => embedding(c as never)],
    ['hashedNgramEmbedding', (c) => hashedNgramEmbedding(c as never)],
    ['lstm', (c) => lstm(c as never)],
    ['cnn', (c) => cnn(c as never)],
    ['pooling', (c) => pooling(c as never)],
    ['dense', (c) => dense(c as never)],
    ['dropout', (c) => dropout(c as never)],
    ['normalize', () => normalize()],
  ],
});

/**
 * Registers a step type, so that `stepFromConfig({ type, ... })`, and so `encoderFromConfig` and model loading,
 * can rebuild a `sequential` encoder that uses it. Registering an existing type replaces it. The registry is
 * shared by every installed copy of `@siamese/encoders`.
 *
 * @example
 * ```ts
 * registerStep('attentionPooling', (config) => attentionPooling(config as AttentionPoolingOptions));
 * ```
 */
export function registerStep(type: string, factory: StepFactory, options?: RegisterOptions): void {
  steps.register(type, factory, options);
}

/**
 * Rebuilds a step description from its JSON config (`{ type, ...options }`). An unregistered type throws
 * `E_UNKNOWN_TYPE`, naming the type, the registered ones and `registerStep`.
 */
export function stepFromConfig(config: StepConfig): StepSpec {
  return steps.fromConfig(config, undefined);
}

/** The step types `stepFromConfig` builds: the built-ins, then registered ones in registration order. */
export function registeredSteps(): string[] {
  return steps.names();
}
