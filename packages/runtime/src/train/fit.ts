import { fusedAdam } from '@siamese/backend';
import { describeValue, Rng, SiameseError } from '@siamese/core';
import { isSimilarity, type Loss, SIMILARITIES } from '@siamese/losses';
import { RandomSampler } from '@siamese/pairs';
import * as tf from '@tensorflow/tfjs-core';
import type { EvaluationData } from '../eval/evaluate.js';
import { recordOnModel, type SiameseModel } from '../model.js';
import { type CheckpointStore, checkFingerprint, optimizerState, restoreOptimizer } from './checkpoints.js';
import { DataSource, type TrainData } from './data-source.js';
import { type DevSets, devTarget, evaluateDev } from './dev-sets.js';
import { EarlyStopping } from './early-stopping.js';
import { type BatchEvent, type EpochEvent, type FitResult, Throughput } from './events.js';
import { DataParallelGroup, replicaCount } from './parallel/data-parallel.js';
import {
  type ExampleSource,
  isExampleSource,
  type PreparedExamples,
  prepareExamples,
  STREAMABLE_KINDS,
} from './prepare-data.js';
import type { SamplerConfig } from './samplers.js';
import { type LrSchedule, learningRateAt } from './schedule.js';
import { type StepOutcome, trainStep } from './step.js';

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
  /**
   * How examples are grouped into batches: a registered sampler (`'random'`, `'noDuplicates'`, `'mPerClass'`,
   * `'bucket'`, or one added with `registerSampler`), as a name or a config (`{ type: 'mPerClass', m: 4 }`).
   * Default: `noDuplicates` for in-batch-negative losses (MNRL), `mPerClass` (m = 4) for batch-mining losses
   * on `{text, label}` data (every anchor gets positives in its batch), `random` otherwise.
   */
  sampler?: SamplerConfig | string;
  /**
   * Gradient accumulation: apply the mean gradient of this many consecutive batches as one optimizer step
   * (default 1). `batchSize: 16, accumulate: 4` steps like a batch of 64 with a batch of 16's memory, for losses
   * that average over examples; in-batch-negative losses still see 16 rows' negatives.
   */
  accumulate?: number;
  /**
   * Dev data evaluated after each epoch (anything `evaluate` takes), or several named sets,
   * `{ sts: scoredPairs, mrpc: labelledPairs }`: each epoch reports all of them (`EpochEvent.devSets`).
   */
  dev?: EvaluationData | DevSets;
  /**
   * Which dev metric to track: default `spearman` (scored), `ap` (binary), `averagePrecision` (paraphrase
   * mining), `ndcgAtK` (retrieval, reranking), `accuracy` (triplets); any key of the metrics (`'map@5'`). With
   * named dev sets, `'<set>/<metric>'` (`'sts/spearman'`) or `'<set>'` for its default; without it, the first
   * set's default.
   */
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
   * Replicas training in parallel: the calling thread and `workers − 1` worker threads (Node `worker_threads`;
   * `Worker` in Deno, Bun and browsers). Each encodes its share of every batch, the loss sees the whole batch,
   * gradients are summed in a fixed order, and every replica, the calling thread's model included, applies the
   * same update. Default 1, the calling thread alone: every replica repeats the whole update, so at batches of
   * 64 pairs a second thread gained ×1.09–1.29 for the LSTMs on a 2-core machine and lost for CNN and
   * mean-pool encoders (docs/performance.md); measure your own model before you set it. The same seed and
   * workers give the same weights; different worker counts agree to float32 rounding. Runtimes without threads
   * (Cloudflare Workers) and a browser page's main thread (which may not block; train in a Web Worker) use 1,
   * with a note. The model keeps its threads for later calls (see `EmbedOptions.workers`); thread start-up is
   * reported through `onInfo` and is not counted in `pairsPerSec`.
   */
  workers?: number;
  /** A module each worker thread imports first: register custom encoders, steps and losses there. */
  workerSetup?: string | URL;
}

/**
 * Lets timers, I/O and an abort run between batches: `setImmediate` where it exists (Node, Deno, Bun), else a
 * message to itself (browsers clamp nested `setTimeout(0)` to 4 ms; Node's is 1 ms: both slow a 30 ms step).
 */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((r) => g.setImmediate!(r));
  if (typeof MessageChannel === 'function') {
    return new Promise((r) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        r();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

/**
 * Trains `model` in place: Adam (β 0.9/0.999, ε 1e-8 as PyTorch), optional warm-up + decay, global-norm
 * clipping, per-epoch dev evaluation with early stopping (best weights restored), checkpoints + resume, progress
 * events, and cancellation through `signal`. Yields to the event loop after every batch. The model records the
 * loss, its similarity and the result, and saving keeps them.
 *
 * `train` is an array of examples, or an {@link ExampleSource} for data too large to hold (read a batch at a
 * time, sampled as the array would be; scored and labelled pairs only).
 */
export async function fit(
  model: SiameseModel,
  train: TrainData | ExampleSource,
  options: FitOptions,
): Promise<FitResult> {
  const run = settingsOf(options);
  if (training.has(model)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'fit: this model is already being trained by another fit() call; await it first (two optimizers would interleave their steps)',
    );
  }
  if (model.disposed) {
    throw new SiameseError(
      'E_MODEL_DISPOSED',
      'fit: the model was disposed; create or load a model to train',
    );
  }
  const { loss } = options;
  // An example source (a file read back batch by batch) or examples in memory (an array, or one per epoch).
  const source = isExampleSource(train) ? checkSource(train, loss, options.sampler) : undefined;
  const data = source
    ? undefined
    : new DataSource(train as TrainData, {
        kind: loss.batchKind,
        seed: run.seed,
        batchSize: run.batchSize,
        ...(options.sampler !== undefined ? { sampler: options.sampler } : {}),
      });
  const first = data?.epoch(0);
  if (first?.prepared.note) options.onInfo?.(`data: ${first.prepared.note}`);
  adoptLoss(model, loss, options.onInfo);
  // A source's pairs are sampled as the random sampler samples pointwise examples: the same batches as the array.
  const sourceSampler = source
    ? new RandomSampler({ size: source.size, batchSize: run.batchSize, seed: run.seed })
    : undefined;
  const examples = first ? first.prepared.count : source!.size;
  // Data regenerated per epoch may change in size: the schedule plans with the first epoch's.
  const batchesPerEpoch = first
    ? [...first.sampler.epoch(0)].length
    : Math.ceil(source!.size / run.batchSize);
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / run.accumulate);
  const totalSteps = stepsPerEpoch * run.epochs;
  if (!model.encoder.trainableVariables().length)
    throw new SiameseError('E_INVALID_ARGUMENT', 'fit: the encoder has no trainable variables');
  // Worker replicas hold the examples they were started with, and step one batch at a time: data drawn anew
  // each epoch and gradient accumulation train on the calling thread.
  // A loss that runs its own encoder schedule (GradCache) or has its own weights trains there too.
  const fixedData = !source && typeof train !== 'function' && run.accumulate === 1;
  const plainLoss = !loss.gradCache && !loss.variables;
  const replicas = replicaCount(options.workers, run.batchSize, options.onInfo);
  if ((!fixedData || !plainLoss) && replicas > 1 && options.workers !== undefined) {
    options.onInfo?.(
      fixedData
        ? `workers: 1 thread (the ${loss.type} loss ${loss.gradCache ? 'encodes in mini-batches' : 'has its own weights'} and trains on the calling thread)`
        : 'workers: 1 thread (per-epoch data and accumulate train on the calling thread)',
    );
  }
  const workers = fixedData && plainLoss ? replicas : 1;
  // Same math, state and checkpoints as tf.train.adam, one fused kernel per variable on wasm and cpu.
  const optimizer = fusedAdam(run.lr, 0.9, 0.999, 1e-8);
  training.add(model);
  const snapshot = new WeightSnapshot();
  const history: EpochEvent[] = [];
  const stopping = new EarlyStopping(options.patience);
  const clock = new Throughput(totalSteps, run.batchSize * run.accumulate);
  let step = 0;
  let startEpoch = 0;
  let stoppedEarly = false;
  let group: DataParallelGroup | undefined;
  let completed = false;
  try {
    // Epoch 0's examples stand for the run's data (a data function must be deterministic in the epoch).
    const fingerprint = options.checkpoints
      ? runFingerprint(model, source ? { source } : { prepared: first!.prepared }, run, options)
      : '';
    const state = await options.checkpoints?.load(model, { fingerprint });
    if (state) {
      checkFingerprint(state.fingerprint, fingerprint, 'fit: checkpoint');
      startEpoch = state.epoch;
      step = state.step;
      for (const h of state.history) history.push(h);
      const note = stopping.resume(state.epoch, state.best, state.bestWeights);
      if (note) options.onInfo?.(note);
      await restoreOptimizer(optimizer, state.optimizer);
      options.onInfo?.(`resumed after epoch ${state.epoch}`);
    }
    // A run that had already stopped early does not train on when resumed.
    stoppedEarly = stopping.shouldStop();
    if (workers > 1 && !stoppedEarly) {
      group = await DataParallelGroup.start(model, first!.prepared, {
        workers,
        batchSize: run.batchSize,
        loss,
        optimizer,
        clipNorm: options.clipNorm,
        ...(options.workerSetup ? { workerSetup: options.workerSetup } : {}),
      });
      options.onInfo?.(`workers: ${workers} threads`);
      // Thread start-up is not part of any step's time (nor of pairsPerSec): said here, once per model.
      if (group.startMs > 0) options.onInfo?.(`workers: threads started in ${Math.round(group.startMs)} ms`);
    }
    for (let epoch = startEpoch; epoch < run.epochs && !stoppedEarly; epoch++) {
      // Training-time randomness (dropout) is seeded per epoch: a resumed run draws what an uninterrupted one would.
      const rng = new Rng((run.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
      const settings = { loss, optimizer, rng, clipNorm: options.clipNorm };
      const epochData = first && (epoch === 0 ? first : data!.epoch(epoch));
      const plan = groups([...(epochData?.sampler ?? sourceSampler!).epoch(epoch)], run.accumulate);
      // The last weights known good: a step that diverges (or updates that overflow) restores them.
      snapshot.take(model);
      clock.startEpoch();
      let lossSum = 0;
      for (let b = 0; b < plan.length; b++) {
        if (options.signal?.aborted) {
          // The model keeps the steps done so far, as on one thread.
          throw aborted(history);
        }
        const { prepared, micro } = epochData
          ? { prepared: epochData.prepared, micro: plan[b]! }
          : await readStep(source!, plan[b]!, loss, run.seed);
        const lr = learningRateAt(run.schedule, run.lr, step, totalSteps);
        optimizer.setLearningRate(lr);
        const stepStart = clock.seconds();
        const outcome = group
          ? await group.trainStep(micro[0]!, lr, rng.nextUint32())
          : await trainStep(model, prepared, micro, settings);
        if (!outcome.applied) throw divergedAndRestored(model, snapshot, outcome, epoch, b);
        const lossValue = outcome.loss;
        lossSum += lossValue;
        step++;
        const rows = micro.reduce((n, m) => n + m.length, 0);
        const rates = clock.batchDone(rows, clock.seconds() - stepStart, step);
        await options.onBatch?.({
          epoch: epoch + 1,
          epochs: run.epochs,
          batch: b + 1,
          batches: plan.length,
          step,
          loss: lossValue,
          lr,
          ...rates,
        });
        await yieldToEventLoop();
      }
      // A finite step can still overflow the weights (a huge learning rate): checked once per epoch.
      const bad = await firstNonFiniteWeight(model);
      if (bad) {
        snapshot.restore(model);
        throw new SiameseError(
          'E_NAN_LOSS',
          `fit: weight "${bad}" became non-finite in epoch ${epoch + 1} (lower the learning rate or set clipNorm); the weights from the start of epoch ${epoch + 1} were restored`,
          { details: { weight: bad, epoch: epoch + 1 } },
        );
      }
      const seconds = clock.epochSeconds();
      const event: EpochEvent = {
        epoch: epoch + 1,
        loss: lossSum / plan.length,
        seconds,
        pairsPerSec: (epochData ? epochData.prepared.count : examples) / seconds,
        improved: false,
      };
      if (options.dev) {
        const dev = await evaluateDev(model, options.dev, options.metric);
        event.devMetrics = dev.metrics;
        if (dev.sets) event.devSets = dev.sets;
        event.metric = dev.value;
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
        fingerprint,
      });
      stoppedEarly = stopping.shouldStop();
    }
    stopping.restoreBest(model);
    completed = true;
  } finally {
    await group?.close(completed);
    optimizer.dispose();
    snapshot.dispose();
    training.delete(model);
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

/** The run's settings with defaults, checked: each option named with its value and range when out of it. */
function settingsOf(options: FitOptions) {
  if (!options?.loss || typeof options.loss.compute !== 'function')
    throw new SiameseError('E_INVALID_ARGUMENT', 'fit: expected options.loss (a Loss)');
  const cache = options.loss.gradCache;
  if (cache !== undefined) {
    // A custom loss's schedule is checked like fit's own options (a missing size would never finish a batch).
    const size = (cache as { miniBatchSize?: unknown } | null)?.miniBatchSize ?? null;
    integerOption(`loss ${options.loss.type}'s gradCache.miniBatchSize`, size, 0, 1, 1_000_000);
  }
  if (options.checkpoints && options.loss.variables) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: checkpoints hold the model and the optimizer, not the ${options.loss.type} loss's own weights (its head), so a resumed run would start a new head; train this loss without checkpoints`,
      { details: { loss: options.loss.type } },
    );
  }
  const epochs = integerOption('epochs', options.epochs, 1, 1, 1_000_000);
  const batchSize = integerOption('batchSize', options.batchSize, 32, 1, 1_000_000);
  const accumulate = integerOption('accumulate', options.accumulate, 1, 1, 1_000_000);
  const seed = integerOption('seed', options.seed, 42, -(2 ** 53) + 1, 2 ** 53 - 1);
  const lr = finiteOption('lr', options.lr, 1e-3, 0); // 0 is allowed: the untrained baseline of a run
  if (options.clipNorm !== undefined) finiteOption('clipNorm', options.clipNorm, 1, Number.MIN_VALUE);
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
  if (options.dev !== undefined) devTarget(options.dev, options.metric);
  return {
    epochs,
    batchSize,
    accumulate,
    lr,
    seed,
    schedule: options.schedule ?? ({ type: 'constant' } as LrSchedule),
  };
}

function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      `fit: ${name}`,
      `an integer in [${min}, ${max}]`,
      describeValue(value),
    );
  }
  return value;
}

function finiteOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    const range = min === 0 ? 'a finite number ≥ 0' : 'a finite number > 0';
    throw SiameseError.expected('E_INVALID_ARGUMENT', `fit: ${name}`, range, describeValue(value));
  }
  return value;
}

/**
 * What makes two runs the same run: the data as the loss sees it, the seed, the options that shape each step
 * (not `epochs`: a run may be resumed to train longer), the loss and the model's config and vocabulary.
 * Two FNV-1a lanes (64 bits): collisions are not a threat model here, a user resuming the wrong run is.
 */
function runFingerprint(
  model: SiameseModel,
  data: { prepared: PreparedExamples } | { source: ExampleSource },
  run: ReturnType<typeof settingsOf>,
  options: FitOptions,
): string {
  const h = new Fnv();
  h.text(
    JSON.stringify({
      seed: run.seed,
      batchSize: run.batchSize,
      accumulate: run.accumulate,
      sampler: options.sampler ?? null,
      lr: run.lr,
      schedule: run.schedule,
      clipNorm: options.clipNorm ?? null,
      patience: options.patience ?? null,
      loss: options.loss.getConfig(),
      encoder: model.encoder.getConfig(),
      vocab: model.tokenizer.vocabSize,
      kind: options.loss.batchKind,
    }),
  );
  if ('source' in data) {
    h.number(data.source.size);
    h.text(data.source.fingerprint);
    return h.hex();
  }
  const { prepared } = data;
  for (const slot of prepared.slots) {
    h.number(slot.length);
    for (const text of slot) h.text(text);
  }
  if (prepared.targets) for (const t of prepared.targets) h.number(t);
  return h.hex();
}

class Fnv {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;
  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.unit(s.charCodeAt(i));
    this.unit(0xffff); // separator: ['ab', 'c'] and ['a', 'bc'] differ
  }
  number(n: number): void {
    this.text(String(n));
  }
  private unit(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193) >>> 0;
    this.b = Math.imul(this.b ^ c, 0x0100019b) >>> 0;
  }
  hex(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}

/** Models inside a running `fit` (a second concurrent `fit` on one of them is refused). */
const training = new WeakSet<SiameseModel>();

/** A copy of the encoder's weights, kept to undo a diverged step. */
class WeightSnapshot {
  private saved = new Map<string, tf.Tensor>();

  take(model: SiameseModel): void {
    this.dispose();
    for (const [name, v] of model.encoder.weights()) this.saved.set(name, tf.clone(v));
  }

  restore(model: SiameseModel): void {
    for (const [name, v] of model.encoder.weights()) {
      const w = this.saved.get(name);
      if (w) v.assign(w);
    }
  }

  dispose(): void {
    tf.dispose([...this.saved.values()]);
    this.saved.clear();
  }
}

/** The name of the first weight holding NaN or ±Infinity, or null. */
async function firstNonFiniteWeight(model: SiameseModel): Promise<string | null> {
  for (const [name, v] of model.encoder.weights()) {
    const values = (await v.data()) as Float32Array;
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return name;
  }
  return null;
}

/** Consecutive batches in groups of `k` (each group is one optimizer step); the last group may be shorter. */
function groups(batches: readonly Int32Array[], k: number): number[][][] {
  const out: number[][][] = [];
  for (let i = 0; i < batches.length; i += k) out.push(batches.slice(i, i + k).map((b) => Array.from(b)));
  return out;
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

function divergedAndRestored(
  model: SiameseModel,
  snapshot: WeightSnapshot,
  step: StepOutcome,
  epoch: number,
  batch: number,
): SiameseError<'E_NAN_LOSS'> {
  snapshot.restore(model);
  const what = Number.isFinite(step.loss)
    ? `the gradient norm became ${step.gradNorm}`
    : `the loss became ${step.loss}`;
  return new SiameseError(
    'E_NAN_LOSS',
    `fit: ${what} at epoch ${epoch + 1}, batch ${batch + 1} (lower the learning rate or set clipNorm); the step was not applied and the weights from the start of epoch ${epoch + 1} were restored`,
    { details: { loss: step.loss, gradNorm: step.gradNorm, epoch: epoch + 1, batch: batch + 1 } },
  );
}

/** A source checked against the loss: only losses that score each pair on its own can read batches back. */
function checkSource(
  source: ExampleSource,
  loss: Loss,
  sampler: SamplerConfig | string | undefined,
): ExampleSource {
  const samplerType = typeof sampler === 'string' ? sampler : sampler?.type;
  if (samplerType !== undefined && samplerType !== 'random') {
    // The other samplers look at the examples' texts or labels, which a source only yields batch by batch.
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: the '${samplerType}' sampler needs the examples in memory (it groups them by their texts or labels); an example source is read back in random batches. Pass an array of examples, or leave sampler out`,
      { details: { sampler: samplerType } },
    );
  }
  if (!STREAMABLE_KINDS.includes(loss.batchKind)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: an example source can feed losses that score each pair on its own (${STREAMABLE_KINDS.join(', ')}); the ${loss.type} loss needs '${loss.batchKind}' batches sampled from the whole data: pass an array of examples`,
    );
  }
  if (!Number.isSafeInteger(source.size) || source.size < 1) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'fit: source size',
      'an integer ≥ 1',
      describeValue(source.size),
    );
  }
  return source;
}

/** One optimizer step of a source: its micro-batches read and prepared together, indexed from 0. */
async function readStep(
  source: ExampleSource,
  micro: readonly number[][],
  loss: Loss,
  seed: number,
): Promise<{ prepared: PreparedExamples; micro: number[][] }> {
  const indices = micro.flat();
  const examples = await source.read(indices);
  if (examples.length !== indices.length) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: the example source gave ${examples.length} examples for ${indices.length} indices`,
    );
  }
  let at = 0;
  return {
    prepared: prepareExamples(examples, loss.batchKind, seed),
    micro: micro.map((m) => m.map(() => at++)),
  };
}
