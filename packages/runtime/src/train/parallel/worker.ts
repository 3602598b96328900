/**
 * The worker thread of parallel training and embedding (an entry of its own: `dist/parallel-worker.js`). It
 * loads the model from bytes, then either embeds texts, or acts as one training replica: it encodes its shard,
 * hands the embeddings to the coordinator, waits (blocking, on shared memory) for their gradients from the
 * loss of the whole batch, back-propagates them, publishes its weight gradients and applies the summed update
 * with its own copy of the optimizer, so every replica holds the same weights after every step. The
 * coordinator does not update its own copy: it adopts replica 0's weights and optimizer state when it needs
 * them (the end of an epoch, an abort).
 *
 * @module
 */
import { type FusedAdamOptimizer, fusedAdam, initBackend } from '@siamese/backend';
import { Rng, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { keepsEmptyRows, prepareBatch } from '../../infer/batching.js';
import { modelFromBytes } from '../../io/model-io.js';
import type { SiameseModel } from '../../model.js';
import { optimizerState, restoreOptimizer } from '../checkpoints.js';
import { clipByGlobalNorm } from '../step.js';
import { type GradientLayout, gradientLayout, gradientTensors, packGradients } from './exchange.js';
import { type FromWorker, regionsOf, type ToWorker, type TrainInit } from './protocol.js';
import { parentChannel } from './threads.js';

const parent = parentChannel();
const send = (m: FromWorker, transfer?: Transferable[]) => parent.post(m, transfer);

let model: SiameseModel | undefined;
let replica: Replica | undefined;
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
      replica = await Replica.start(model!, m.train);
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
    case 'pull': {
      const state = await replica!.state();
      send(
        state,
        state.weights.map((w) => w.buffer as ArrayBuffer),
      );
      return;
    }
  }
}

/** One training replica: its shard's forward and backward pass, and the shared update. */
class Replica {
  private constructor(
    private readonly model: SiameseModel,
    private readonly init: TrainInit,
    private readonly optimizer: FusedAdamOptimizer,
    private readonly layout: GradientLayout,
  ) {}

  static async start(model: SiameseModel, init: TrainInit): Promise<Replica> {
    const optimizer = fusedAdam(init.lr, 0.9, 0.999, 1e-8);
    await restoreOptimizer(optimizer, init.optimizer);
    const layout = gradientLayout(model.encoder.trainableVariables().map((v) => v.shape));
    if (layout.floats !== init.shared.gradientFloats) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `parallel worker: the replica's variables take ${layout.floats} floats, the coordinator's ${init.shared.gradientFloats}`,
      );
    }
    return new Replica(model, init, optimizer, layout);
  }

  private get regions() {
    return regionsOf(this.init.shared, this.init.workers);
  }

  step(step: number, indices: Int32Array, seed: number): void {
    const { model, init } = this;
    const { replicas, control } = this.regions;
    const mine = replicas[init.index]!;
    const rows = indices.length;
    const texts = init.slots.flatMap((slot) => Array.from(indices, (i) => slot[i]!));
    const batch = prepareBatch(
      model.tokenizer,
      texts,
      model.maxLength,
      model.ngrams,
      keepsEmptyRows(model.tokenizer, model.encoder),
    );
    const vars = model.encoder.trainableVariables();
    try {
      const { value, grads } = tf.variableGrads(() => {
        const emb = model.encoder.encode(batch.input, { training: true, rng: new Rng(seed) });
        mine.embeddings.set(emb.dataSync() as Float32Array);
        send({ type: 'embeddings', step, rows });
        this.waitFor(step, control);
        const dy = tf.tensor(mine.embeddingGrads.slice(0, emb.size), emb.shape);
        return tf.sum(tf.mul(emb, dy)) as tf.Scalar;
      }, vars);
      const sent = packGradients(
        this.layout,
        vars.map((v) => grads[v.name]!),
        mine.gradients,
      );
      tf.dispose([value, ...Object.values(grads)]);
      send({ type: 'gradients', step, rows: sent });
    } finally {
      batch.dispose();
    }
  }

  /** Blocks until the coordinator has written this step's embedding gradients (or aborted the run). */
  private waitFor(step: number, control: Int32Array): void {
    const { index, workers } = this.init;
    for (;;) {
      const seen = Atomics.load(control, index);
      if (seen === step) return;
      if (Atomics.load(control, workers) !== 0)
        throw new SiameseError('E_ABORTED', 'parallel training aborted');
      Atomics.wait(control, index, seen, 1000);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }

  /** The weights and optimizer state after the updates so far (the calling thread adopts them). */
  async state(): Promise<Extract<FromWorker, { type: 'state' }>> {
    const vars = this.model.encoder.trainableVariables();
    return {
      type: 'state',
      weights: vars.map((v) => Float32Array.from(v.dataSync() as Float32Array)),
      names: vars.map((v) => v.name),
      optimizer: await optimizerState(this.optimizer),
    };
  }

  /** Applies the summed gradients exactly as the coordinator does. */
  apply(lr: number): void {
    const vars = this.model.encoder.trainableVariables();
    const tensors = gradientTensors(this.layout, this.regions.sum);
    const grads: Record<string, tf.Tensor> = {};
    vars.forEach((v, i) => {
      grads[v.name] = tensors[i]!;
    });
    if (this.init.clipNorm) clipByGlobalNorm(grads, this.init.clipNorm);
    this.optimizer.setLearningRate(lr);
    this.optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
}
