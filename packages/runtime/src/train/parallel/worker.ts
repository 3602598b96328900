/**
 * The worker thread of parallel training and embedding (an entry of its own: `dist/parallel-worker.js`). It
 * loads the model from bytes, then either embeds texts, or acts as one training replica (1 and up; the calling
 * thread is replica 0): it encodes its shard, hands the embeddings to the calling thread, waits (blocking, on
 * shared memory) for their gradients from the loss of the whole batch, back-propagates them, publishes its
 * weight gradients and applies the summed update with its own copy of the optimizer, so every replica holds
 * the same weights after every step.
 *
 * @module
 */
import { fusedAdam, initBackend } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { modelFromBytes } from '../../io/model-io.js';
import type { SiameseModel } from '../../model.js';
import { restoreOptimizer } from '../checkpoints.js';
import { gradientLayout } from './exchange.js';
import { controlSlots, type FromWorker, regionsOf, type ToWorker, type TrainInit } from './protocol.js';
import { Replica } from './replica.js';
import { parentChannel } from './threads.js';

const parent = parentChannel();
const send = (m: FromWorker, transfer?: Transferable[]) => parent.post(m, transfer);

let model: SiameseModel | undefined;
let replica: WorkerReplica | undefined;
// Messages are handled one at a time, in order: each waits for the one before.
let queue: Promise<void> = Promise.resolve();

parent.listen((message) => {
  queue = queue.then(() => handle(message as ToWorker)).catch(fail);
});

function fail(e: unknown): void {
  const err = e as { message?: string; code?: string; details?: Record<string, unknown> };
  send({
    type: 'error',
    message: err?.message ?? String(e),
    ...(SiameseError.is(e) ? { code: e.code, ...(e.details ? { details: e.details } : {}) } : {}),
  });
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      if (m.setup) await import(/* @vite-ignore */ /* webpackIgnore: true */ m.setup);
      await initBackend({ backend: m.backend });
      model = await modelFromBytes(m.model, '<parallel worker>');
      send({ type: 'ready' });
      return;
    }
    case 'weights': {
      let i = 0;
      for (const v of model!.encoder.weights().values()) {
        const values = m.values[i++]!;
        tf.tidy(() => v.assign(tf.tensor(values, v.shape, v.dtype)));
      }
      send({ type: 'ready' });
      return;
    }
    case 'train':
      replica?.dispose();
      replica = await WorkerReplica.start(model!, m.train);
      send({ type: 'ready' });
      return;
    case 'endTrain':
      replica?.dispose();
      replica = undefined;
      send({ type: 'ready' });
      return;
    case 'embed': {
      const matrix = await model!.embedMatrix(m.texts, {
        ...(m.batchSize ? { batchSize: m.batchSize } : {}),
        ...(m.normalize ? { normalize: true } : {}),
        ...(m.truncateDim ? { truncateDim: m.truncateDim } : {}),
        workers: 1,
      });
      send({ type: 'embedded', id: m.id, matrix }, [matrix.buffer as ArrayBuffer]);
      return;
    }
    case 'step':
      replica!.step(m.step, m.indices, m.seed);
      return;
    case 'apply':
      replica!.apply(m.lr);
      return;
  }
}

/** A worker's replica: its shard of each step, in step with the others through shared memory. */
class WorkerReplica {
  private constructor(
    private readonly replica: Replica,
    private readonly init: TrainInit,
  ) {}

  static async start(model: SiameseModel, init: TrainInit): Promise<WorkerReplica> {
    const optimizer = fusedAdam(init.lr, 0.9, 0.999, 1e-8);
    await restoreOptimizer(optimizer, init.optimizer);
    const layout = gradientLayout(model.encoder.trainableVariables().map((v) => v.shape));
    if (layout.floats !== init.shared.gradientFloats) {
      optimizer.dispose();
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `parallel worker: the replica's variables take ${layout.floats} floats, the coordinator's ${init.shared.gradientFloats}`,
      );
    }
    return new WorkerReplica(new Replica(model, optimizer, layout, init.clipNorm), init);
  }

  private get regions() {
    return regionsOf(this.init.shared, this.init.workers);
  }

  step(step: number, indices: Int32Array, seed: number): void {
    const { index, workers, slots } = this.init;
    const { replicas, control } = this.regions;
    const at = controlSlots(workers);
    const mine = replicas[index]!;
    try {
      const rows = this.replica.backward(
        slots,
        indices,
        seed,
        (embeddings) => {
          mine.embeddings.set(embeddings);
          Atomics.store(control, at.ready(index), step);
          Atomics.notify(control, at.ready(index));
          this.waitFor(step, control);
          return mine.embeddingGrads;
        },
        mine.gradients,
      );
      send({ type: 'gradients', step, rows });
    } catch (e) {
      // The calling thread may be blocked waiting for these embeddings: tell it, then report why.
      Atomics.store(control, at.ready(index), -1);
      Atomics.notify(control, at.ready(index));
      throw e;
    }
  }

  /** Blocks until the calling thread has written this step's embedding gradients (or aborted the run). */
  private waitFor(step: number, control: Int32Array): void {
    const { index, workers } = this.init;
    const at = controlSlots(workers);
    for (;;) {
      const seen = Atomics.load(control, at.gate(index));
      if (seen === step) return;
      if (Atomics.load(control, at.abort) !== 0)
        throw new SiameseError('E_ABORTED', 'parallel training aborted');
      Atomics.wait(control, at.gate(index), seen, 1000);
    }
  }

  apply(lr: number): void {
    this.replica.apply(lr, this.regions.sum);
  }

  dispose(): void {
    this.replica.optimizer.dispose();
  }
}
