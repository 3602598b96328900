/**
 * Data-parallel training and parallel embedding on this runtime's threads (Node `worker_threads`, the `Worker`
 * of Deno and Bun). On workerd, which has no threads, asking for workers trains on one thread, without error.
 */
import { lossFromConfig } from '@siamese/losses';
import { createModel, fit, type SiameseModel } from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { assert, assertEqual, defineSuite, type TestContext } from '../harness.js';

async function pairs(ctx: TestContext, n: number) {
  return (await ctx.data('stsb/train.tsv'))
    .trim()
    .split('\n')
    .slice(1, n + 1)
    .map((line) => {
      const [text1, text2, score] = line.split('\t');
      return { text1: text1!, text2: text2!, score: Number(score) / 5 };
    });
}

const weightsOf = (m: SiameseModel) =>
  [...m.encoder.weights().values()].flatMap((v) => Array.from(v.dataSync()));
function maxAbsDiff(a: number[], b: number[]): number {
  assertEqual(a.length, b.length, 'weights');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

export default defineSuite('parallel', (test) => {
  test('fit({ workers: 2 }): the same seed gives the same weights; within float rounding of 1 worker; no tensor left', async (ctx) => {
    const train = await pairs(ctx, 192);
    const texts = train.flatMap((p) => [p.text1, p.text2]);
    const run = async (workers: number, type: string) => {
      const model = createModel({ preset: 'lstm', texts, seed: 7, embeddingDim: 16 });
      const before = tf.memory().numTensors;
      const infos: string[] = [];
      const r = await fit(model, train, {
        loss: lossFromConfig({ type }),
        batchSize: 32,
        seed: 3,
        workers,
        onInfo: (m) => infos.push(m),
      });
      assertEqual(tf.memory().numTensors, before, 'tensors after fit');
      const w = weightsOf(model);
      model.dispose();
      return { w, loss: r.history[0]!.loss, threads: infos.includes(`workers: ${workers} threads`) };
    };
    for (const type of ['cosine', 'coSENT']) {
      const single = await run(1, type);
      const a = await run(2, type);
      const b = await run(2, type);
      // Workers have no threads: asking for them trains on one, exactly as workers: 1.
      assertEqual(a.threads, ctx.runtime !== 'workerd', `${type}: trained on threads`);
      assertEqual(maxAbsDiff(a.w, b.w), 0, `${type}: two runs with 2 workers differ`);
      const diff = maxAbsDiff(a.w, single.w);
      assert(diff < 1e-4, `${type}: 2 workers vs 1 differ by ${diff}`);
      if (ctx.runtime === 'workerd') assertEqual(diff, 0, `${type}: the fallback is the one-thread path`);
      assert(Math.abs(a.loss - single.loss) < 1e-5, `${type}: losses ${a.loss} vs ${single.loss}`);
    }
  });

  test('an aborted parallel fit throws E_ABORTED and stops its threads', async (ctx) => {
    const train = await pairs(ctx, 128);
    const model = createModel({
      preset: 'cnn',
      texts: train.flatMap((p) => [p.text1, p.text2]),
      embeddingDim: 16,
    });
    const controller = new AbortController();
    const error = await fit(model, train, {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 2,
      batchSize: 16,
      workers: 2,
      signal: controller.signal,
      onBatch: (e) => {
        if (e.epoch === 2 && e.batch === 2) controller.abort();
      },
    }).then(
      () => null,
      (e: { code?: string; details?: { history?: unknown[] } }) => e,
    );
    assertEqual(error?.code, 'E_ABORTED', 'error code');
    assertEqual(error?.details?.history?.length, 1, 'completed epochs');
    model.dispose();
  });

  test('embedMatrix({ workers: 2 }) gives the rows of one thread, in order', async (ctx) => {
    const train = await pairs(ctx, 300);
    const texts = train.flatMap((p) => [p.text1, p.text2]);
    const model = createModel({ preset: 'cnn', texts, seed: 2, embeddingDim: 16 });
    const one = await model.embedMatrix(texts, { workers: 1 });
    const two = await model.embedMatrix(texts, { workers: 2 });
    const diff = maxAbsDiff(Array.from(one), Array.from(two));
    assert(diff < 1e-6, `2 threads vs 1 differ by ${diff}`);
    model.dispose();
  });
});
