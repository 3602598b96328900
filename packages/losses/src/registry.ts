import { defineRegistry, describeValue, type RegisterOptions, SiameseError } from '@siamese/core';
import { AnglELoss } from './losses/angle.js';
import { BatchAllTripletLoss } from './losses/batch-all-triplet.js';
import { BatchHardTripletLoss } from './losses/batch-hard-triplet.js';
import { BatchSemiHardTripletLoss } from './losses/batch-semi-hard-triplet.js';
import { ContrastiveLoss } from './losses/contrastive.js';
import { CoSENTLoss } from './losses/cosent.js';
import { CosineSimilarityLoss } from './losses/cosine-similarity.js';
import { MarginMSELoss, MSELoss } from './losses/distillation.js';
import { MatryoshkaLoss } from './losses/matryoshka.js';
import { MultiSimilarityLoss } from './losses/multi-similarity.js';
import {
  CachedMultipleNegativesRankingLoss,
  MultipleNegativesRankingLoss,
} from './losses/multiple-negatives-ranking.js';
import { OnlineContrastiveLoss } from './losses/online-contrastive.js';
import { SoftmaxLoss } from './losses/softmax.js';
import { TripletLoss } from './losses/triplet.js';
import type { Loss, LossConfig } from './types.js';

/** Builds a loss from its config (the whole config, `type` included). */
export type LossFactory = (config: LossConfig) => Loss;

// Options are the config minus its type; each constructor rejects keys it does not know.
const options = ({ type: _type, ...rest }: LossConfig) => rest;

const losses = defineRegistry<LossConfig, Loss, undefined>({
  kind: 'loss',
  registerCall: 'registerLoss',
  fromConfigCall: 'lossFromConfig',
  configCode: 'E_LOSS_CONFIG',
  builtins: () => [
    ['cosineSimilarity', (c) => new CosineSimilarityLoss(options(c)), ['cosine']],
    ['contrastive', (c) => new ContrastiveLoss(options(c))],
    ['onlineContrastive', (c) => new OnlineContrastiveLoss(options(c))],
    ['triplet', (c) => new TripletLoss(options(c))],
    ['batchHardTriplet', (c) => new BatchHardTripletLoss(options(c))],
    ['batchSemiHardTriplet', (c) => new BatchSemiHardTripletLoss(options(c))],
    ['batchAllTriplet', (c) => new BatchAllTripletLoss(options(c))],
    ['multipleNegativesRanking', (c) => new MultipleNegativesRankingLoss(options(c)), ['mnrl']],
    ['coSENT', (c) => new CoSENTLoss(options(c))],
    ['angle', (c) => new AnglELoss(options(c)), ['anglE']],
    ['multiSimilarity', (c) => new MultiSimilarityLoss(options(c))],
    ['mse', (c) => new MSELoss(options(c) as Record<string, never>)],
    ['marginMse', (c) => new MarginMSELoss(options(c))],
    ['matryoshka', matryoshkaFromConfig],
    [
      'cachedMultipleNegativesRanking',
      (c) => new CachedMultipleNegativesRankingLoss(options(c)),
      ['cachedMnrl'],
    ],
    ['softmax', (c) => new SoftmaxLoss(options(c))],
  ],
});

/** A Matryoshka config holds its inner loss as a config: build that first (any registered type). */
function matryoshkaFromConfig({ type: _type, loss, ...rest }: LossConfig): Loss {
  if (loss === null || typeof loss !== 'object' || typeof (loss as LossConfig).type !== 'string') {
    throw new SiameseError(
      'E_LOSS_CONFIG',
      `matryoshka: option loss must be a loss config { type, ...options }, found ${describeValue(loss)}`,
      { details: { loss: 'matryoshka', option: 'loss' } },
    );
  }
  return new MatryoshkaLoss({ ...(rest as object), loss: lossFromConfig(loss as LossConfig) } as never);
}

/**
 * Registers a loss type so that `lossFromConfig({ type, ... })` (a saved model's loss, the CLI's `--loss`)
 * can build it. Registering an existing type replaces it (this is how you swap in a variant of a built-in).
 * The registry is shared by every installed copy of `@siamese/losses`.
 *
 * @example
 * ```ts
 * registerLoss('marginMse', ({ type: _type, ...options }) => new MarginMseLoss(options));
 * const loss = lossFromConfig({ type: 'marginMse', margin: 0.3 });
 * ```
 */
export function registerLoss(type: string, factory: LossFactory, options?: RegisterOptions): void {
  losses.register(type, factory, options);
}

/**
 * Builds a registered loss from a JSON config, `{ type, ...options }`, as returned by `loss.getConfig()`. Types
 * match case-insensitively, and the short names `cosine` (`cosineSimilarity`), `mnrl`
 * (`multipleNegativesRanking`) and `cachedMnrl` (`cachedMultipleNegativesRanking`) work too. An unregistered type throws `E_UNKNOWN_TYPE` (naming the registered
 * ones and `registerLoss`); a bad option throws `E_LOSS_CONFIG`.
 *
 * @example
 * ```ts
 * const loss = lossFromConfig({ type: 'triplet', distance: 'cosine', margin: 0.5 });
 * ```
 */
export function lossFromConfig(config: LossConfig): Loss {
  return losses.fromConfig(config, undefined);
}

/** Every name `lossFromConfig` accepts: each registered type (built-ins first), followed by its aliases. */
export function registeredLosses(): string[] {
  return losses.names();
}
