import { describeValue } from '@siamese/core';
import { EncoderConfigError } from './errors.js';
import type { StepConfig, StepSpec } from './step.js';
import { cnn } from './steps/cnn.js';
import { dense } from './steps/dense.js';
import { dropout } from './steps/dropout.js';
import { embedding } from './steps/embedding.js';
import { hashedNgramEmbedding } from './steps/hashed-ngram-embedding.js';
import { lstm } from './steps/lstm.js';
import { normalize } from './steps/normalize.js';
import { pooling } from './steps/pooling.js';

// Config objects carry `type` next to the options; the builders ignore unknown keys such as `type`.
const STEPS: Record<string, (config: any) => StepSpec> = {
  embedding,
  hashedNgramEmbedding,
  lstm,
  cnn,
  pooling,
  dense,
  dropout,
  normalize: () => normalize(),
};

/** Rebuilds a step description from its JSON config (`{ type, ...options }`). */
export function stepFromConfig(config: StepConfig, index: number): StepSpec {
  const build = config && typeof config === 'object' ? STEPS[config.type] : undefined;
  if (!build) {
    throw new EncoderConfigError(
      `sequential.steps[${index}].type`,
      `one of ${Object.keys(STEPS).join(', ')}`,
      describeValue(config?.type),
    );
  }
  return build(config);
}
