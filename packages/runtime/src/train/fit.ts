import { fusedAdam } from '@siamese/backend';
import { Rng, SiameseError } from '@siamese/core';
import { isSimilarity, type Loss, SIMILARITIES } from '@siamese/losses';
import { type EvaluationData, evaluate } from '../eval/evaluate.js';
import { recordOnModel, type SiameseModel } from '../model.js';
import { type CheckpointStore, optimizerState, restoreOptimizer } from './checkpoints.js';
import { EarlyStopping, trackedMetric } from './early-stopping.js';
import { type BatchEvent, type EpochEvent, type FitResult, Throughput } from './events.js';
import { DataParallelGroup, replicaCount } from './parallel/data-parallel.js';
import { prepareExamples, samplerFor, type TrainExample } from './prepare-data.js';
import { type LrSchedule, learningRateAt } from './schedule.js';
import { trainStep } from './step.js';

/** Options of {@link fit}. */
export interface FitOptions {
  /** The loss (any object implementing the `Loss` contract; `lossFromConfig({ type: 'coSENT' })` for a built-in). */
  loss: Loss;
  epochs?: number;
  batchSize?: number;
  /** Base learning rate; default 1e-3. */
  lr?: number;
  schedule?: LrSchedule;
  /** Clip gradients to this global L2 norm; default none. */
  clipNorm?: number;
  seed?: number;
  /** Dev data evaluated after each epoch (scored pairs, binary pairs, triplets or a retrieval task). */
  dev?: EvaluationData;
  /** Which dev metric to track: default `spearman` (scored), `ap` (binary), `accuracy`, `ndcgAtK`. */
  metric?: string;
  /**
   * Stop after this many epochs in a row without a better dev metric (patience 2: best at epoch 3, stop after
   * epoch 5); the best epoch's weights are restored when training ends. A whole number ≥ 1; needs `dev`.
   */
  patience?: number;
  /** Save a checkpoint after every epoch and resume from it when present. */
  checkpoints?: CheckpointStore;
  signal?: AbortSignal;
  onBatch?: (e: BatchEvent) => void | Promise<void>;
  onEpoch?: (e: EpochEvent) => void | Promise<void>;
  /** Called with notes on how the data was adapted to the loss, and on a resume. */
  onInfo?: (message: string) => void;
  /**
   * Replicas training in parallel, one per worker thread (Node `worker_threads`; `Worker` in Deno, Bun and
   * browsers): each encodes its share of every batch, the loss sees the whole batch, gradients are summed in a
   * fixed order. Default: the machine's cores for runs of 2048 examples or more (batches of 16 or more), else 1.
   * `1` trains on the calling thread. The same seed and workers give the same weights; different worker counts
   * agree to float32 rounding. Runtimes without threads (Cloudflare Workers) use 1.
   */
  workers?: number;
  /** A module each worker thread imports first: register custom encoders, steps and losses there. */
  workerSetup?: string | URL;
}

const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Trains `model` in place: Adam (β 0.9/0.999, ε 1e-8 as PyTorch), optional warm-up + decay, global-norm
 * clipping, per-epoch dev evaluation with early stopping (best weights restored), checkpoints + resume, progress
 * events, and cancellation through `signal`. Yields to the event loop after every batch. The model records the
 * loss, its similarity and the result, and saving keeps them.
 */
export async function fit(
  model: SiameseModel,
  train: readonly TrainExample[],
  options: FitOptions,
): Promise<FitResult> {
  const run = settingsOf(options);
  const { loss } = options;
  const prepared = prepareExamples(train, loss.batchKind, run.seed);
  if (prepared.note) options.onInfo?.(`data: ${prepared.note}`);
  adoptLoss(model, loss, options.onInfo);
  const sampler = samplerFor(prepared, run.batchSize, run.seed);
  const totalSteps = Math.ceil(prepared.count / run.batchSize) * run.epochs;
  if (!model.encoder.trainableVariables().length)
    throw new SiameseError('E_INVALID_ARGUMENT', 'fit: the encoder has no trainable variables');
  // Same math, state and checkpoints as tf.train.adam, one fused kernel per variable on wasm and cpu.
  const optimizer = fusedAdam(run.lr, 0.9, 0.999, 1e-8);
  const history: EpochEvent[] = [];
  const stopping = new EarlyStopping(options.patience);
  const clock = new Throughput(totalSteps, run.batchSize);
  let step = 0;
  let startEpoch = 0;
  let stoppedEarly = false;
  const workers = replicaCount(options.workers, prepared.count, run.batchSize, options.onInfo);
  let group: DataParallelGroup | undefined;
  try {
    const state = await options.checkpoints?.load(model);
    if (state) {
      startEpoch = state.epoch;
      step = state.step;
      history.push(...state.history);
      const note = stopping.resume(state.epoch, state.best, state.bestWeights);
      if (note) options.onInfo?.(note);
      await restoreOptimizer(optimizer, state.optimizer);
      options.onInfo?.(`resumed after epoch ${state.epoch}`);
    }
    // A run that had already stopped early does not train on when resumed.
    stoppedEarly = stopping.shouldStop();
    if (workers > 1 && !stoppedEarly) {
      group = await DataParallelGroup.start(model, prepared, {
        workers,
        batchSize: run.batchSize,
        loss,
        optimizer,
        clipNorm: options.clipNorm,
        ...(options.workerSetup ? { workerSetup: options.workerSetup } : {}),
      });
      options.onInfo?.(`workers: ${workers} threads`);
    }
    for (let epoch = startEpoch; epoch < run.epochs && !stoppedEarly; epoch++) {
      // Training-time randomness (dropout) is seeded per epoch: a resumed run draws what an uninterrupted one would.
      const rng = new Rng((run.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
      const settings = { loss, optimizer, rng, clipNorm: options.clipNorm };
      const batches = [...sampler.epoch(epoch)];
      clock.startEpoch();
      let lossSum = 0;
      for (let b = 0; b < batches.length; b++) {
        if (options.signal?.aborted) throw aborted(history);
        const indices = Array.from(batches[b]!);
        const lr = learningRateAt(run.schedule, run.lr, step, totalSteps);
        optimizer.setLearningRate(lr);
        const stepStart = clock.seconds();
        const lossValue = group
          ? await group.trainStep(indices, lr, rng.nextUint32())
          : await trainStep(model, prepared, indices, settings);
        if (!Number.isFinite(lossValue)) throw diverged(lossValue, epoch, b);
        lossSum += lossValue;
        step++;
        const rates = clock.batchDone(indices.length, clock.seconds() - stepStart, step);
        await options.onBatch?.({
          epoch: epoch + 1,
          epochs: run.epochs,
          batch: b + 1,
          batches: batches.length,
          step,
          loss: lossValue,
          lr,
          ...rates,
        });
        await yieldToEventLoop();
      }
      const seconds = clock.epochSeconds();
      const event: EpochEvent = {
        epoch: epoch + 1,
        loss: lossSum / batches.length,
        seconds,
        pairsPerSec: prepared.count / seconds,
        improved: false,
      };
      if (options.dev) {
        event.devMetrics = await evaluate(model, options.dev);
        event.metric = trackedMetric(event.devMetrics, options.metric).value;
        event.improved = await stopping.observe(model, epoch + 1, event.metric);
      }
      history.push(event);
      await options.onEpoch?.(event);
      await options.checkpoints?.save(model, {
        epoch: epoch + 1,
        step,
        history,
        best: stopping.best,
        optimizer: await optimizerState(optimizer),
        bestWeights: stopping.savedBestWeights(model),
      });
      stoppedEarly = stopping.shouldStop();
    }
    stopping.restoreBest(model);
  } finally {
    await group?.close();
    optimizer.dispose();
  }
  const result: FitResult = {
    history,
    best: stopping.best,
    epochsRun: history.length,
    stoppedEarly,
    seconds: clock.seconds(),
    pairsPerSec: clock.pairsPerSec(),
    resumedFrom: startEpoch,
  };
  recordOnModel(model, { training: result });
  return result;
}

/** The run's settings with defaults, checked. */
function settingsOf(options: FitOptions) {
  if (!options?.loss || typeof options.loss.compute !== 'function')
    throw new SiameseError('E_INVALID_ARGUMENT', 'fit: expected options.loss (a Loss)');
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  if (!(epochs >= 1) || !(batchSize >= 1)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: expected epochs ≥ 1 and batchSize ≥ 1, found ${epochs}, ${batchSize}`,
    );
  }
  const { patience } = options;
  if (patience !== undefined) {
    if (!Number.isInteger(patience) || patience < 1) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `fit: expected patience to be a whole number of epochs ≥ 1, found ${patience}`,
      );
    }
    if (!options.dev)
      throw new SiameseError('E_INVALID_ARGUMENT', 'fit: patience needs dev data to watch (options.dev)');
  }
  return {
    epochs,
    batchSize,
    lr: options.lr ?? 1e-3,
    seed: options.seed ?? 42,
    schedule: options.schedule ?? ({ type: 'constant' } as LrSchedule),
  };
}

/** The model takes the loss's config and, if the loss fixes one, its similarity: search then compares as training did. */
function adoptLoss(model: SiameseModel, loss: Loss, onInfo?: (message: string) => void): void {
  if (loss.similarity !== undefined && !isSimilarity(loss.similarity)) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      `fit: loss ${loss.type}'s similarity`,
      `one of ${SIMILARITIES.join(', ')} (or none)`,
      JSON.stringify(loss.similarity),
    );
  }
  const similarity = loss.similarity ?? model.similarity;
  if (similarity !== model.similarity)
    onInfo?.(`similarity: ${similarity} (from the ${loss.type} loss; was ${model.similarity})`);
  recordOnModel(model, { loss: loss.getConfig(), similarity });
}

function aborted(history: EpochEvent[]): SiameseError<'E_ABORTED'> {
  return new SiameseError('E_ABORTED', `training aborted after ${history.length} completed epoch(s)`, {
    details: { history: [...history] },
  });
}

function diverged(value: number, epoch: number, batch: number): SiameseError<'E_NAN_LOSS'> {
  return new SiameseError(
    'E_NAN_LOSS',
    `fit: the loss became ${value} at epoch ${epoch + 1}, batch ${batch + 1} (lower the learning rate or set clipNorm)`,
    { details: { value, epoch: epoch + 1, batch: batch + 1 } },
  );
}
