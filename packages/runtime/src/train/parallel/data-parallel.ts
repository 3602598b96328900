/**
 * Data-parallel training (the coordinator's side). Each step the batch is cut into contiguous shards, one per
 * worker replica. The replicas encode their shards; the coordinator gathers the embeddings of the whole batch,
 * computes the loss on them — so in-batch losses (MNRL, CoSENT, batch-hard triplets) see every row, exactly as
 * on one thread — and hands each replica the gradient of its rows. The replicas back-propagate, the coordinator
 * sums their weight gradients in shard order, and every replica applies the same update to its own copy; the
 * coordinator adopts replica 0's weights and optimizer state when it needs them (`pull`). Only the reduction
 * order differs from one thread.
 *
 * @module
 */
import type { FusedAdamOptimizer } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import type { Loss } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import type { SiameseModel } from '../../model.js';
import { optimizerState, restoreOptimizer } from '../checkpoints.js';
import type { PreparedExamples } from '../prepare-data.js';
import { lossBatch, type StepOutcome, targetsOf, teacherOf } from '../step.js';
import { type GradientLayout, globalNorm, gradientLayout, sumGradients } from './exchange.js';
import { leaseThreads, type ThreadLease } from './model-threads.js';
import type { ThreadOptions, ThreadPool } from './pool.js';
import { regionsOf, type SharedRegions, sharedFloats } from './protocol.js';
import { availableCores, sharedMemoryAvailable, threadsAvailable } from './threads.js';

export interface DataParallelSettings extends ThreadOptions {
  workers: number;
  batchSize: number;
  loss: Loss;
  optimizer: FusedAdamOptimizer;
  clipNorm: number | undefined;
}

/** Worker replicas of a model in training, kept in step with it. */
export class DataParallelGroup {
  private step = 0;
  /** Whether the replicas applied updates the model has not adopted yet. */
  private stale = false;

  private constructor(
    private readonly model: SiameseModel,
    private readonly prepared: PreparedExamples,
    private readonly settings: DataParallelSettings,
    private readonly lease: ThreadLease,
    private readonly shared: SharedRegions,
    private readonly layout: GradientLayout,
  ) {}

  static async start(
    model: SiameseModel,
    prepared: PreparedExamples,
    settings: DataParallelSettings,
  ): Promise<DataParallelGroup> {
    const { workers } = settings;
    const layout = gradientLayout(model.encoder.trainableVariables().map((v) => v.shape));
    const maxRows = Math.ceil(settings.batchSize / workers);
    const embeddingFloats = maxRows * prepared.slots.length * model.dim;
    const shared: SharedRegions = {
      control: new SharedArrayBuffer(4 * (workers + 1)),
      floats: new SharedArrayBuffer(4 * sharedFloats(workers, embeddingFloats, layout.floats)),
      embeddingFloats,
      gradientFloats: layout.floats,
    };
    const optimizer = await optimizerState(settings.optimizer);
    const lease = await leaseThreads(model, workers, {
      ...(settings.workerSetup ? { workerSetup: settings.workerSetup } : {}),
    });
    try {
      for (let index = 0; index < workers; index++) {
        lease.pool.post(index, {
          type: 'train',
          train: {
            index,
            workers,
            shared,
            kind: prepared.kind,
            slots: prepared.slots,
            loss: settings.loss.getConfig(),
            ...(settings.clipNorm ? { clipNorm: settings.clipNorm } : {}),
            lr: settings.optimizer.getLearningRate(),
            optimizer,
          },
        });
      }
      for (let k = 0; k < workers; k++) await lease.pool.receive(k, 'ready');
    } catch (e) {
      await lease.release(false);
      throw e;
    }
    return new DataParallelGroup(model, prepared, settings, lease, shared, layout);
  }

  private get pool(): ThreadPool {
    return this.lease.pool;
  }

  get workers(): number {
    return this.pool.size;
  }

  /** Milliseconds this run spent starting threads (0 when the model's threads were already running). */
  get startMs(): number {
    return this.lease.startMs;
  }

  /**
   * One step on the examples `indices` with learning rate `lr` (already set on the optimizer); `seed` seeds
   * the shards' dropout. Returns the loss of the whole batch.
   */
  async trainStep(indices: readonly number[], lr: number, seed: number): Promise<StepOutcome> {
    const { model, prepared, pool, settings } = this;
    const step = ++this.step;
    const { replicas, sum, control } = regionsOf(this.shared, pool.size);
    const shards = shardsOf(indices, pool.size);
    shards.forEach((shard, k) => {
      pool.post(k, {
        type: 'step',
        step,
        indices: Int32Array.from(shard),
        seed: (seed + Math.imul(k, 0x9e3779b9)) >>> 0,
      });
    });
    for (let k = 0; k < shards.length; k++) await pool.receive(k, 'embeddings');

    // The whole batch's embeddings, slot-major as one thread encodes them: [slots × rows, dim].
    const dim = model.dim;
    const rows = indices.length;
    const slots = prepared.slots.length;
    const all = new Float32Array(slots * rows * dim);
    let first = 0;
    shards.forEach((shard, k) => {
      const n = shard.length;
      for (let s = 0; s < slots; s++) {
        all.set(replicas[k]!.embeddings.subarray(s * n * dim, (s + 1) * n * dim), (s * rows + first) * dim);
      }
      first += n;
    });
    const targets = targetsOf(prepared, indices);
    const teacher = teacherOf(prepared, indices);
    let lossValue: number;
    try {
      const embeddings = tf.tensor2d(all, [slots * rows, dim]);
      const { value, grad } = tf.valueAndGrad((e: tf.Tensor) => {
        const parts = prepared.slots.map((_, s) => tf.slice(e, [s * rows, 0], [rows, -1]) as tf.Tensor2D);
        return settings.loss.compute(
          lossBatch(settings.loss.batchKind, parts, targets, teacher),
        ) as tf.Scalar;
      })(embeddings);
      const g = grad.dataSync() as Float32Array;
      lossValue = value.dataSync()[0]!;
      tf.dispose([embeddings, value, grad]);
      first = 0;
      shards.forEach((shard, k) => {
        const n = shard.length;
        for (let s = 0; s < slots; s++) {
          replicas[k]!.embeddingGrads.set(
            g.subarray((s * rows + first) * dim, (s * rows + first + n) * dim),
            s * n * dim,
          );
        }
        first += n;
        Atomics.store(control, k, step);
        Atomics.notify(control, k);
      });
    } finally {
      targets?.dispose();
      teacher?.dispose();
    }
    for (let k = 0; k < shards.length; k++) await pool.receive(k, 'gradients');

    sumGradients(
      this.layout,
      replicas.slice(0, shards.length).map((r) => r.gradients),
      sum,
    );
    const gradNorm = globalNorm(this.layout, sum);
    // As on one thread: a non-finite loss or gradient is never applied (fit restores and stops; close() then
    // releases the replicas, which never receive this step's update).
    const applied = Number.isFinite(lossValue) && Number.isFinite(gradNorm);
    // Only the replicas update (clipping, then Adam, each its own copy): the calling thread adopts replica 0's
    // weights when it needs them ({@link pull}), so two cores do not run three copies of the update.
    if (applied) for (let k = 0; k < pool.size; k++) pool.post(k, { type: 'apply', lr });
    this.stale = this.stale || applied;
    return { loss: lossValue, gradNorm, applied };
  }

  /**
   * Brings the model and the optimizer up to date with the replicas (replica 0's weights and Adam state, the
   * same bits every replica holds). `fit` calls it at the end of each epoch and before it reports an abort.
   */
  async pull(): Promise<void> {
    if (!this.stale) return;
    this.pool.post(0, { type: 'pull' });
    const state = await this.pool.receive(0, 'state');
    const vars = this.model.encoder.trainableVariables();
    vars.forEach((v, i) => {
      tf.tidy(() => v.assign(tf.tensor(state.weights[i]!, v.shape, v.dtype)));
    });
    // The moments are matched by position; their saved names follow the calling thread's variables.
    const rename = new Map(state.names.map((name, i) => [name, vars[i]!.name]));
    const optimizer = state.optimizer.map((w) => {
      const slash = w.name.lastIndexOf('/');
      const own = slash > 0 ? rename.get(w.name.slice(0, slash)) : undefined;
      return own ? { ...w, name: `${own}${w.name.slice(slash)}` } : w;
    });
    await restoreOptimizer(this.settings.optimizer, optimizer);
    this.stale = false;
  }

  /**
   * Ends the run. After a completed run (`completed`) the threads stay with the model, their replicas dropped;
   * otherwise (a failure, an abort) any replica waiting on this run is woken and the threads are terminated.
   */
  async close(completed: boolean): Promise<void> {
    let keep = completed && !this.pool.broken;
    if (keep) {
      try {
        await this.pool.broadcast({ type: 'endTrain' });
      } catch {
        keep = false;
      }
    }
    if (!keep) {
      const { control } = regionsOf(this.shared, this.pool.size);
      Atomics.store(control, this.pool.size, 1);
      for (let k = 0; k < this.pool.size; k++) {
        Atomics.store(control, k, -1);
        Atomics.notify(control, k);
      }
    }
    await this.lease.release(keep);
  }
}

/** Contiguous shards of `indices`, sizes differing by at most one (earlier shards take the extra rows). */
export function shardsOf(indices: readonly number[], n: number): number[][] {
  const out: number[][] = [];
  const base = Math.floor(indices.length / n);
  const extra = indices.length % n;
  let at = 0;
  for (let k = 0; k < n; k++) {
    const size = base + (k < extra ? 1 : 0);
    out.push(indices.slice(at, at + size));
    at += size;
  }
  return out.filter((s) => s.length > 0);
}

/** Runs smaller than this (examples per epoch) train on one thread unless `workers` is given: starting threads costs more. */
export const PARALLEL_MIN_EXAMPLES = 2048;

/**
 * How many replicas a run uses: `workers` as asked (capped at the batch size), else the machine's cores for a
 * run of at least {@link PARALLEL_MIN_EXAMPLES} examples in batches of 16 or more, else 1. Without threads
 * (Cloudflare Workers) or shared memory (a browser page that is not cross-origin isolated) it is 1, with a note.
 */
export function replicaCount(
  workers: number | undefined,
  examples: number,
  batchSize: number,
  onInfo?: (message: string) => void,
): number {
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
    throw SiameseError.expected('E_INVALID_ARGUMENT', 'fit: workers', 'a whole number ≥ 1', String(workers));
  }
  const wanted = workers ?? (examples >= PARALLEL_MIN_EXAMPLES && batchSize >= 16 ? availableCores() : 1);
  const n = Math.min(wanted, batchSize);
  if (n <= 1) return 1;
  if (!threadsAvailable()) return 1;
  if (!sharedMemoryAvailable()) {
    onInfo?.(
      'workers: 1 (SharedArrayBuffer is unavailable; a browser page needs cross-origin isolation to train on several threads)',
    );
    return 1;
  }
  return n;
}
