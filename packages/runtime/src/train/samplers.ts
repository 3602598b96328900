import { defineRegistry, type RegisterOptions, SiameseError, type TypedConfig } from '@siamese/core';
import type { BatchKind } from '@siamese/losses';
import {
  BucketSampler,
  MPerClassSampler,
  NoDuplicatesSampler,
  RandomSampler,
  type Sampler,
} from '@siamese/pairs';

/** A sampler as JSON: `{ type: 'mPerClass', m: 4 }`. A bare string is `{ type }`. */
export interface SamplerConfig extends TypedConfig {}

/** What a sampler factory knows about the run's examples (one epoch's, when the data changes per epoch). */
export interface SamplerContext {
  /** Number of examples. */
  size: number;
  batchSize: number;
  /** The run's seed (samplers derive each epoch's stream from it). */
  seed: number;
  /** The loss's batch kind. */
  kind: BatchKind;
  /** Every text of example `i` (both sides of a pair, all three of a triplet). */
  texts(index: number): string[];
  /** Class id of each example, for `labelled-embeddings` losses. */
  labels?: Int32Array;
}

/** Builds a sampler for one run from its config and the run's examples. */
export type SamplerFactory = (config: SamplerConfig, context: SamplerContext) => Sampler;

/** Examples per class in a batch when `mPerClass` is chosen without `m` (sentence-transformers' GroupByLabel uses 2; PML's examples 4). */
export const DEFAULT_M = 4;

const invalid = (message: string, details?: Record<string, unknown>) =>
  new SiameseError('E_INVALID_ARGUMENT', message, details ? { details } : {});

function knownKeys(config: SamplerConfig, keys: readonly string[]): void {
  const unknown = Object.keys(config).filter((k) => k !== 'type' && !keys.includes(k));
  if (unknown.length) {
    throw invalid(
      `sampler ${config.type}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${keys.join(', ') || 'none'})`,
      { sampler: config.type, unknown },
    );
  }
}

const common = (config: SamplerConfig, c: SamplerContext) => ({
  batchSize: c.batchSize,
  seed: c.seed,
  ...(config.dropLast !== undefined ? { dropLast: Boolean(config.dropLast) } : {}),
});

function mPerClass(config: SamplerConfig, c: SamplerContext): Sampler {
  knownKeys(config, ['m', 'dropLast']);
  if (!c.labels) {
    throw invalid(
      `sampler mPerClass: needs class labels, found '${c.kind}' examples (give {text, label} rows and a batch-mining loss)`,
      { kind: c.kind },
    );
  }
  const m = config.m === undefined ? DEFAULT_M : Number(config.m);
  return new MPerClassSampler({ ...common(config, c), labels: c.labels, m });
}

/** Total characters of an example: a cheap, tokenizer-free proxy of its padded length. */
const lengthOf = (c: SamplerContext) => (i: number) => c.texts(i).reduce((n, t) => Math.max(n, t.length), 0);

const samplers = defineRegistry<SamplerConfig, Sampler, SamplerContext>({
  kind: 'sampler',
  registerCall: 'registerSampler',
  fromConfigCall: 'samplerFromConfig',
  configCode: 'E_INVALID_ARGUMENT',
  builtins: () => [
    [
      'random',
      (config, c) => {
        knownKeys(config, ['dropLast']);
        return new RandomSampler({ ...common(config, c), size: c.size });
      },
    ],
    [
      'noDuplicates',
      (config, c) => {
        knownKeys(config, ['dropLast']);
        return new NoDuplicatesSampler({ ...common(config, c), size: c.size, texts: c.texts });
      },
    ],
    ['mPerClass', mPerClass, ['groupByLabel']],
    [
      'bucket',
      (config, c) => {
        knownKeys(config, ['bucketSize', 'dropLast']);
        return new BucketSampler({
          ...common(config, c),
          size: c.size,
          lengths: lengthOf(c),
          ...(config.bucketSize !== undefined ? { bucketSize: Number(config.bucketSize) } : {}),
        });
      },
    ],
  ],
});

/**
 * Registers a batch sampler type for `fit({ sampler: { type } })`. The factory gets the config and the run's
 * examples ({@link SamplerContext}) and returns a `Sampler` of `@siamese/pairs` (seeded per epoch).
 *
 * @example
 * ```ts
 * registerSampler('inOrder', (_config, { size, batchSize }) => ({
 *   size,
 *   *epoch() {
 *     for (let s = 0; s < size; s += batchSize)
 *       yield Int32Array.from({ length: Math.min(batchSize, size - s) }, (_, i) => s + i);
 *   },
 * }));
 * ```
 */
export function registerSampler(type: string, factory: SamplerFactory, options?: RegisterOptions): void {
  samplers.register(type, factory, options);
}

/** Builds a registered sampler (`random`, `noDuplicates`, `mPerClass`, `bucket`, or one you registered). */
export function samplerFromConfig(config: SamplerConfig | string, context: SamplerContext): Sampler {
  return samplers.fromConfig(typeof config === 'string' ? { type: config } : config, context);
}

/** Every name `samplerFromConfig` accepts. */
export function registeredSamplers(): string[] {
  return samplers.names();
}

/**
 * The default sampler of a batch kind: in-batch-negative losses must not see the same text twice in a batch (it
 * would be its own negative), so `anchor-positive` gets `noDuplicates`; batch-mining losses need positives in
 * every batch, so `labelled-embeddings` gets `mPerClass` (m = 4, or the largest divisor of the batch size that
 * the classes allow); every other kind `random`.
 */
export function defaultSampler(context: SamplerContext): SamplerConfig {
  if (context.kind === 'anchor-positive') return { type: 'noDuplicates' };
  if (context.kind === 'labelled-embeddings' && context.labels) {
    const classes = new Set(context.labels).size;
    for (const m of [DEFAULT_M, 2]) {
      if (context.batchSize % m === 0 && classes >= context.batchSize / m) return { type: 'mPerClass', m };
    }
  }
  return { type: 'random' };
}
