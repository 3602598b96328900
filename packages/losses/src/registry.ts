import { describeValue } from '@siamese/core';
import { LossConfigError } from './errors.js';
import { BatchAllTripletLoss } from './losses/batch-all-triplet.js';
import { BatchHardTripletLoss } from './losses/batch-hard-triplet.js';
import { BatchSemiHardTripletLoss } from './losses/batch-semi-hard-triplet.js';
import { ContrastiveLoss } from './losses/contrastive.js';
import { CoSENTLoss } from './losses/cosent.js';
import { CosineSimilarityLoss } from './losses/cosine-similarity.js';
import { MultipleNegativesRankingLoss } from './losses/multiple-negatives-ranking.js';
import { OnlineContrastiveLoss } from './losses/online-contrastive.js';
import { TripletLoss } from './losses/triplet.js';
import type { Loss, LossConfig } from './types.js';

/** Builds a loss from its config (the whole config, `name` included). */
export type LossFactory = (config: LossConfig) => Loss;

// Options are the config minus its name; each constructor rejects keys it does not know.
const options = ({ name: _name, ...rest }: LossConfig) => rest;

const factories = new Map<string, LossFactory>([
  ['cosineSimilarity', (c) => new CosineSimilarityLoss(options(c))],
  ['contrastive', (c) => new ContrastiveLoss(options(c))],
  ['onlineContrastive', (c) => new OnlineContrastiveLoss(options(c))],
  ['triplet', (c) => new TripletLoss(options(c))],
  ['batchHardTriplet', (c) => new BatchHardTripletLoss(options(c))],
  ['batchSemiHardTriplet', (c) => new BatchSemiHardTripletLoss(options(c))],
  ['batchAllTriplet', (c) => new BatchAllTripletLoss(options(c))],
  ['multipleNegativesRanking', (c) => new MultipleNegativesRankingLoss(options(c))],
  ['coSENT', (c) => new CoSENTLoss(options(c))],
]);

/**
 * Registers a loss under `name` so that `lossFromConfig({ name, ... })` (and so saved training configs) can
 * build it. Registering an existing name replaces it (this is how you swap in a variant of a built-in).
 *
 * @example
 * ```ts
 * registerLoss('marginMse', (config) => new MarginMseLoss(config));
 * const loss = lossFromConfig({ name: 'marginMse', margin: 0.3 });
 * ```
 */
export function registerLoss(name: string, fromConfig: LossFactory): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new LossConfigError(
      'E_LOSS_CONFIG',
      `registerLoss: name must be a non-empty string, found ${describeValue(name)}`,
    );
  }
  if (typeof fromConfig !== 'function') {
    throw new LossConfigError(
      'E_LOSS_CONFIG',
      `registerLoss(${name}): fromConfig must be a function, found ${describeValue(fromConfig)}`,
    );
  }
  factories.set(name, fromConfig);
}

/**
 * Builds a registered loss from a JSON config: `{ name, ...options }`, as returned by `loss.getConfig()`.
 * Throws `LossConfigError` with code `E_LOSS_UNKNOWN` for an unregistered name (listing the known ones) and
 * `E_LOSS_CONFIG` for bad options.
 *
 * @example
 * ```ts
 * const loss = lossFromConfig({ name: 'triplet', distance: 'cosine', margin: 0.5 });
 * ```
 */
export function lossFromConfig(config: LossConfig): Loss {
  if (config === null || typeof config !== 'object' || typeof config.name !== 'string') {
    throw new LossConfigError(
      'E_LOSS_CONFIG',
      `lossFromConfig: expected { name: string, ...options }, found ${describeValue(config)}`,
    );
  }
  const factory = factories.get(config.name);
  if (!factory) {
    throw new LossConfigError(
      'E_LOSS_UNKNOWN',
      `lossFromConfig: unknown loss '${config.name}' (registered: ${lossNames().join(', ')})`,
      { name: config.name, known: lossNames() },
    );
  }
  return factory(config);
}

/** The registered loss names (built-ins first, then custom ones in registration order). */
export function lossNames(): string[] {
  return [...factories.keys()];
}
