// The playground's trainer: a Web Worker, so the page never blocks while the model trains. It builds the model,
// trains it with `fit` and posts progress after every batch and epoch; at the end it posts the trained model in
// the single-file format, which the page loads for similarity and ranking.
import { lossFromConfig } from '@siamese/losses';
import { createModel, evaluate, fit, initBackend, modelToBytes } from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import type { FromTrainer, ToTrainer } from './trainer-protocol.ts';

// The worker's global scope (the page's tsconfig types `self` as a Window).
const scope = globalThis as unknown as {
  postMessage(message: FromTrainer, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<ToTrainer>) => void): void;
};
const post = (m: FromTrainer, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

async function train({ pairs, devSize, epochs, batchSize }: ToTrainer): Promise<void> {
  await initBackend();
  const trainSet = pairs.slice(0, -devSize);
  const dev = pairs.slice(-devSize);
  const texts = pairs.flatMap((p) => [p.text1, p.text2]);
  const model = createModel({
    preset: 'meanpool',
    texts,
    embeddingDim: 48,
    hidden: 64,
    maxLength: 32,
    seed: 7,
  });
  const untrained = (await evaluate(model, dev)).spearman;
  post({ type: 'started', backend: tf.getBackend(), scope: globalThis.constructor.name, untrained });
  await fit(model, trainSet, {
    loss: lossFromConfig({ type: 'cosine' }),
    epochs,
    batchSize,
    lr: 0.005,
    seed: 7,
    dev,
    onBatch: (e) => post({ type: 'batch', loss: e.loss }),
    onEpoch: (e) => post({ type: 'epoch', epoch: e.epoch, loss: e.loss, metric: e.metric ?? 0 }),
  });
  const bytes = await modelToBytes(model);
  model.dispose();
  post({ type: 'done', model: bytes }, [bytes.buffer as ArrayBuffer]);
}

scope.addEventListener('message', (e) => {
  train(e.data).catch((err: Error) => post({ type: 'error', message: err.message }));
});
