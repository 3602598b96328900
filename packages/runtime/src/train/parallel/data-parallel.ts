/**
 * Data-parallel training. Each step the batch is cut into contiguous shards, one per replica: the calling
 * thread is replica 0 (the model and optimizer `fit` holds), each worker thread one more. Every replica encodes
 * its shard; the calling thread gathers the embeddings of the whole batch, computes the loss on them — so
 * in-batch losses (MNRL, CoSENT, batch-hard triplets) see every row, exactly as on one thread — and hands each
 * replica the gradient of its rows. The replicas back-propagate, the calling thread sums their weight gradients
 * in shard order, and every replica applies the same update to its own copy. Only the reduction order differs
 * from one thread.
 *
 * The calling thread waits for the other shards' embeddings inside its gradient tape, blocking on shared
 * memory: a thread that may not block (a browser page's main thread) trains on one thread.
 *
 * @module
 */
import type { FusedAdamOptimizer } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import type { Loss } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import type { SiameseModel } from '../../model.js';
import { optimizerState } from '../checkpoints.js';
import type { PreparedExamples } from '../prepare-data.js';
import { lossBatch, type StepOutcome, targetsOf, teacherOf } from '../step.js';
import { type GradientLayout, globalNorm, gradientLayout, sumGradients } from './exchange.js';
import { leaseThreads, type ThreadLease } from './model-threads.js';
import type { ThreadOptions, ThreadPool } from './pool.js';
import { controlSlots, regionsOf, type SharedRegions, sharedFloats } from './protocol.js';
import { Replica } from './replica.js';
import { canBlock, sharedMemoryAvailable, threadsAvailable } from './threads.js';

export interface DataParallelSettings extends ThreadOptions {
  workers: number;
  batchSize: number;
  loss: Loss;
  optimizer: FusedAdamOptimizer;
  clipNorm: number | undefined;
}

/** A worker thread gave up on its step (it reports why in a message, read after the tape unwinds). */
class ShardFailed extends Error {
  constructor(readonly thread: number) {
    super(`worker thread ${thread + 1} failed its step`);
  }
}

/** How long the calling thread waits for a shard's embeddings before it declares the thread lost. */
const SHARD_TIMEOUT_MS = 120_000;

/** The calling thread and its worker replicas, kept in step. */
export class DataParallelGroup {
  private step = 0;

  private constructor(
    private readonly prepared: PreparedExamples,
    private readonly settings: DataParallelSettings,
    private readonly lease: ThreadLease,
    private readonly shared: SharedRegions,
    private readonly layout: GradientLayout,
    private readonly local: Replica,
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
      control: new SharedArrayBuffer(4 * controlSlots(workers).length),
      floats: new SharedArrayBuffer(4 * sharedFloats(workers, embeddingFloats, layout.floats)),
      embeddingFloats,
      gradientFloats: layout.floats,
    };
    const optimizer = await optimizerState(settings.optimizer);
    const lease = await leaseThreads(model, workers - 1, {
      ...(settings.workerSetup ? { workerSetup: settings.workerSetup } : {}),
    });
    try {
      for (let k = 0; k < workers - 1; k++) {
        lease.pool.post(k, {
          type: 'train',
          train: {
            index: k + 1,
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
      for (let k = 0; k < workers - 1; k++) await lease.pool.receive(k, 'ready');
    } catch (e) {
      await lease.release(false);
      throw e;
    }
    const local = new Replica(model, settings.optimizer, layout, settings.clipNorm);
    return new DataParallelGroup(prepared, settings, lease, shared, layout, local);
  }

  private get pool(): ThreadPool {
    return this.lease.pool;
  }

  /** Replicas, the calling thread's included. */
  get workers(): number {
    return this.pool.size + 1;
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
    const { prepared, pool } = this;
    const step = ++this.step;
    const { replicas, sum } = regionsOf(this.shared, this.workers);
    const shards = shardsOf(indices, this.workers);
    const seedOf = (k: number) => (seed + Math.imul(k, 0x9e3779b9)) >>> 0;
    for (let k = 1; k < shards.length; k++) {
      pool.post(k - 1, { type: 'step', step, indices: Int32Array.from(shards[k]!), seed: seedOf(k) });
    }
    let lossValue = Number.NaN;
    // Thrown after the tape: an exception inside it would leave the tape's saved tensors behind.
    let failure: unknown;
    this.local.backward(
      prepared.slots,
      shards[0]!,
      seedOf(0),
      (own) => {
        try {
          const { loss, ownGrads } = this.batchLoss(step, indices, shards, own);
          lossValue = loss;
          return ownGrads;
        } catch (e) {
          failure = e;
          return new Float32Array(own.length);
        }
      },
      replicas[0]!.gradients,
    );
    if (failure !== undefined) {
      // The worker's own message says why (this rethrows it as E_WORKER_FAILED or its code).
      if (failure instanceof ShardFailed) await pool.receive(failure.thread, 'gradients');
      throw failure;
    }
    for (let k = 1; k < shards.length; k++) await pool.receive(k - 1, 'gradients');

    sumGradients(
      this.layout,
      replicas.slice(0, shards.length).map((r) => r.gradients),
      sum,
    );
    const gradNorm = globalNorm(this.layout, sum);
    // As on one thread: a non-finite loss or gradient is never applied (fit restores and stops; close() then
    // releases the replicas, which never receive this step's update).
    const applied = Number.isFinite(lossValue) && Number.isFinite(gradNorm);
    if (applied) {
      // Every replica, with or without a shard this step, applies the same update to its own copy.
      for (let k = 0; k < pool.size; k++) pool.post(k, { type: 'apply', lr });
      this.local.apply(lr, sum);
    }
    return { loss: lossValue, gradNorm, applied };
  }

  /**
   * Inside the calling thread's tape: waits for the other shards' embeddings, computes the loss of the whole
   * batch, hands every worker the gradient of its rows and returns the calling thread's own.
   */
  private batchLoss(
    step: number,
    indices: readonly number[],
    shards: number[][],
    own: Float32Array,
  ): { loss: number; ownGrads: Float32Array } {
    const { prepared, settings } = this;
    const { replicas, control } = regionsOf(this.shared, this.workers);
    const at = controlSlots(this.workers);
    for (let k = 1; k < shards.length; k++) waitForShard(control, at.ready(k), step, k - 1);
    // The whole batch's embeddings, slot-major as one thread encodes them: [slots × rows, dim].
    const dim = this.local.model.dim;
    const rows = indices.length;
    const slots = prepared.slots.length;
    const all = new Float32Array(slots * rows * dim);
    const shardOf = (k: number) => (k === 0 ? own : replicas[k]!.embeddings);
    let first = 0;
    shards.forEach((shard, k) => {
      const n = shard.length;
      const from = shardOf(k);
      for (let s = 0; s < slots; s++) {
        all.set(from.subarray(s * n * dim, (s + 1) * n * dim), (s * rows + first) * dim);
      }
      first += n;
    });
    const targets = targetsOf(prepared, indices);
    const teacher = teacherOf(prepared, indices);
    let g: Float32Array;
    let loss: number;
    try {
      const embeddings = tf.tensor2d(all, [slots * rows, dim]);
      const { value, grad } = tf.valueAndGrad((e: tf.Tensor) => {
        const parts = prepared.slots.map((_, s) => tf.slice(e, [s * rows, 0], [rows, -1]) as tf.Tensor2D);
        return settings.loss.compute(
          lossBatch(settings.loss.batchKind, parts, targets, teacher),
        ) as tf.Scalar;
      })(embeddings);
      g = grad.dataSync() as Float32Array;
      loss = value.dataSync()[0]!;
      tf.dispose([embeddings, value, grad]);
    } finally {
      targets?.dispose();
      teacher?.dispose();
    }
    const ownGrads = new Float32Array(own.length);
    first = 0;
    shards.forEach((shard, k) => {
      const n = shard.length;
      const to = k === 0 ? ownGrads : replicas[k]!.embeddingGrads;
      for (let s = 0; s < slots; s++) {
        to.set(g.subarray((s * rows + first) * dim, (s * rows + first + n) * dim), s * n * dim);
      }
      first += n;
      if (k > 0) {
        Atomics.store(control, at.gate(k), step);
        Atomics.notify(control, at.gate(k));
      }
    });
    return { loss, ownGrads };
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
      const { control } = regionsOf(this.shared, this.workers);
      const at = controlSlots(this.workers);
      Atomics.store(control, at.abort, 1);
      for (let k = 1; k < this.workers; k++) {
        Atomics.store(control, at.gate(k), -1);
        Atomics.notify(control, at.gate(k));
      }
    }
    await this.lease.release(keep);
  }
}

/** Blocks until worker thread `thread` wrote `step`'s embeddings (control slot `slot`). */
function waitForShard(control: Int32Array, slot: number, step: number, thread: number): void {
  const started = Date.now();
  for (;;) {
    const seen = Atomics.load(control, slot);
    if (seen === step) return;
    if (seen === -1) throw new ShardFailed(thread);
    if (Date.now() - started > SHARD_TIMEOUT_MS) {
      throw new SiameseError(
        'E_WORKER_FAILED',
        `worker thread ${thread + 1} sent no embeddings for step ${step} in ${SHARD_TIMEOUT_MS / 1000} s`,
        { details: { worker: thread + 1 } },
      );
    }
    Atomics.wait(control, slot, seen, 1000);
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

/**
 * How many replicas a run uses: `workers` as asked (capped at the batch size), else 1. Training on several
 * threads is opt-in: every replica repeats the update of the whole model (Adam's moments decay on every row of
 * an embedding table), so at common batch sizes a second thread gains little or loses (docs/performance.md,
 * "On every core"). Without threads (Cloudflare Workers), shared memory (a browser page that is not
 * cross-origin isolated) or a thread that may block (a browser page's main thread) it is 1, with a note.
 */
export function replicaCount(
  workers: number | undefined,
  batchSize: number,
  onInfo?: (message: string) => void,
): number {
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
    throw SiameseError.expected('E_INVALID_ARGUMENT', 'fit: workers', 'a whole number ≥ 1', String(workers));
  }
  const n = Math.min(workers ?? 1, batchSize);
  if (n <= 1) return 1;
  if (!threadsAvailable()) return 1;
  if (!sharedMemoryAvailable()) {
    onInfo?.(
      'workers: 1 (SharedArrayBuffer is unavailable; a browser page needs cross-origin isolation to train on several threads)',
    );
    return 1;
  }
  if (!canBlock()) {
    onInfo?.(
      "workers: 1 (this thread may not block on shared memory, as a browser page's main thread; train in a Web Worker to use several threads)",
    );
    return 1;
  }
  return n;
}
