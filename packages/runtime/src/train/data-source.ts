import { SiameseError } from '@siamese/core';
import type { BatchKind } from '@siamese/losses';
import type { Sampler } from '@siamese/pairs';
import { type PreparedExamples, prepareExamples, type TrainExample } from './prepare-data.js';
import { defaultSampler, type SamplerConfig, type SamplerContext, samplerFromConfig } from './samplers.js';

/**
 * What `fit` trains on: a fixed array of examples, or a function that gives each epoch its own examples (an
 * array or any iterable), e.g. `(epoch) => pairsFromLabels(rows, { seed: epoch })` draws new pairs every
 * epoch. The function must be deterministic in `epoch` for a resumed run to see what an uninterrupted one did.
 */
export type TrainData =
  | readonly TrainExample[]
  | ((epoch: number) => readonly TrainExample[] | Iterable<TrainExample>);

/** One epoch's examples, prepared for the loss, and the sampler that batches them. */
export interface EpochData {
  prepared: PreparedExamples;
  sampler: Sampler;
  /** The sampler's config (the default one when none was given). */
  samplerConfig: SamplerConfig;
}

/** Settings the data source needs from the run. */
export interface DataSettings {
  kind: BatchKind;
  seed: number;
  batchSize: number;
  sampler?: SamplerConfig | string;
}

/** Turns {@link TrainData} into prepared examples and a sampler per epoch (built once for fixed data). */
export class DataSource {
  private fixed: EpochData | undefined;

  constructor(
    private readonly data: TrainData,
    private readonly settings: DataSettings,
  ) {
    if (typeof data !== 'function' && !Array.isArray(data)) {
      throw SiameseError.expected(
        'E_INVALID_ARGUMENT',
        'fit: training data',
        'an array of examples or a function (epoch) => examples',
        data === null ? 'null' : typeof data,
      );
    }
  }

  /** The examples of `epoch` (0-based) and their sampler. */
  epoch(epoch: number): EpochData {
    if (typeof this.data !== 'function') {
      this.fixed ??= this.build(this.data as readonly TrainExample[]);
      return this.fixed;
    }
    const rows = this.data(epoch);
    if (rows === null || typeof rows !== 'object' || !(Symbol.iterator in rows)) {
      throw SiameseError.expected(
        'E_INVALID_ARGUMENT',
        `fit: the training data function for epoch ${epoch}`,
        'to return an array or iterable of examples',
        rows === null ? 'null' : typeof rows,
      );
    }
    return this.build(Array.isArray(rows) ? rows : Array.from(rows));
  }

  private build(rows: readonly TrainExample[]): EpochData {
    const { kind, seed, batchSize } = this.settings;
    const prepared = prepareExamples(rows, kind, seed);
    const context: SamplerContext = {
      size: prepared.count,
      batchSize,
      seed,
      kind,
      texts: (i) => prepared.slots.map((s) => s[i]!),
      ...(kind === 'labelled-embeddings' && prepared.targets instanceof Int32Array
        ? { labels: prepared.targets }
        : {}),
    };
    const given = this.settings.sampler;
    const samplerConfig =
      given === undefined ? defaultSampler(context) : typeof given === 'string' ? { type: given } : given;
    return { prepared, sampler: samplerFromConfig(samplerConfig, context), samplerConfig };
  }
}
