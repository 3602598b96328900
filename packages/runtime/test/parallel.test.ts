// Data-parallel fit and parallel embed on Node worker threads. The threads run the built worker module
// (dist/parallel-worker.js), so these tests import the package's build, as an application would.
import { readdirSync, readFileSync } from 'node:fs';
import { embedding, lstm, type PresetName, sequential } from '@siamese/encoders';
import { lossFromConfig } from '@siamese/losses';
import { Tokenizer, Vocabulary } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fit, initBackend, SiameseModel } from '../dist/index.js';
import { tsvPairs } from './helpers.js';

const golden = JSON.parse(
  readFileSync(new URL('../../../fixtures/golden/siamese_lstm_step.json', import.meta.url), 'utf8'),
);
/** OS threads of this process (Linux): every worker thread adds some, and terminating it removes them. */
const osThreads = () => readdirSync('/proc/self/task').length;
const flatWeights = (m: SiameseModel) =>
  [...m.encoder.weights().values()].flatMap((v) => Array.from(v.dataSync()));
const maxAbsDiff = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

const toText = (ids: number[]) =>
  ids
    .filter((id) => id !== 0)
    .map((id) => `t${id}`)
    .join(' ');
function goldenModel(): SiameseModel {
  const { vocab, emb, hidden } = golden.config;
  const tokens = ['[PAD]', '[UNK]', ...Array.from({ length: vocab - 2 }, (_, i) => `t${i + 2}`)];
  const encoder = sequential([embedding({ vocabSize: vocab, dim: emb }), lstm({ hidden, packed: false })], {
    seed: 1,
  });
  const weights = encoder.weights();
  for (const [name, w] of Object.entries(
    golden.weights as Record<string, { shape: number[]; data: number[] }>,
  )) {
    tf.tidy(() =>
      weights.get(name)!.assign(tf.tensor(w.data.flat(Number.POSITIVE_INFINITY) as number[], w.shape)),
    );
  }
  return new SiameseModel({ tokenizer: new Tokenizer(Vocabulary.fromTokens(tokens)), encoder });
}
const goldenPairs = () => {
  const a = (golden.inputs.token_ids_a.data as number[][]).map(toText);
  const b = (golden.inputs.token_ids_b.data as number[][]).map(toText);
  return a.map((text1, i) => ({ text1, text2: b[i]!, score: (golden.inputs.labels.data as number[])[i]! }));
};

const train = tsvPairs('stsb/train.tsv', 320);
const corpus = train.flatMap((p) => [p.text1, p.text2]);
const model = (preset: PresetName = 'lstm') =>
  createModel({ preset, texts: corpus, seed: 7, embeddingDim: 32 });

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

describe('fit({ workers })', () => {
  it('one step of the golden Siamese LSTM: 2 workers agree with 1 within 1e-5 and land on PyTorch’s weights', async () => {
    const one = goldenModel();
    const two = goldenModel();
    const infos: string[] = [];
    const settings = { loss: lossFromConfig({ type: 'cosine' }), epochs: 1, batchSize: 3, lr: 1e-3 };
    await fit(one, goldenPairs(), { ...settings, workers: 1, onInfo: (m) => infos.push(m) });
    expect(infos.some((m) => m.startsWith('workers'))).toBe(false);
    const before = tf.memory().numTensors;
    await fit(two, goldenPairs(), { ...settings, workers: 2, onInfo: (m) => infos.push(m) });
    expect(infos).toContain('workers: 2 threads');
    expect(tf.memory().numTensors).toBe(before);
    const diff = maxAbsDiff(flatWeights(one), flatWeights(two));
    expect(diff).toBeLessThan(1e-5);
    for (const [name, v] of two.encoder.weights()) {
      const expected = (golden.unpacked.weights_after_adam_step[name].data as number[]).flat(
        Number.POSITIVE_INFINITY,
      );
      expect(maxAbsDiff(Array.from(v.dataSync()), expected as number[]), name).toBeLessThan(1e-4);
    }
    // The step moved the weights (Adam's first step is about ±lr), so agreeing is not agreeing on nothing.
    expect(maxAbsDiff(flatWeights(two), flatWeights(goldenModel()))).toBeGreaterThan(9e-4);
    one.dispose();
    two.dispose();
  });

  for (const type of ['cosine', 'coSENT', 'mnrl'] as const) {
    it(`${type}: the same seed and 2 workers give bit-identical weights, within float rounding of 1 worker`, async () => {
      const initial = flatWeights(model());
      const run = async (workers: number) => {
        const m = model();
        const threads = osThreads();
        const before = tf.memory().numTensors;
        const result = await fit(m, train, {
          loss: lossFromConfig({ type }),
          batchSize: 32,
          seed: 5,
          workers,
        });
        expect(tf.memory().numTensors, 'tensors left on the calling thread').toBe(before);
        const w = flatWeights(m);
        m.dispose();
        // The model kept its threads for later calls; dispose() terminates them.
        await expect.poll(osThreads, { timeout: 10_000 }).toBeLessThanOrEqual(threads);
        return { w, loss: result.history[0]!.loss };
      };
      const a = await run(2);
      const b = await run(2);
      const single = await run(1);
      expect(maxAbsDiff(a.w, initial), 'the run trained').toBeGreaterThan(1e-3);
      expect(b.w).toEqual(a.w);
      expect(b.loss).toBe(a.loss);
      expect(maxAbsDiff(a.w, single.w)).toBeLessThan(1e-4);
      expect(Math.abs(a.loss - single.loss)).toBeLessThan(1e-5);
    });
  }

  it('over two epochs the calling thread’s model holds the replicas’ weights at each end, leaking no tensor', async () => {
    const run = async (workers: number) => {
      const m = model('cnn');
      const before = tf.memory().numTensors;
      const epochs: number[][] = [];
      await fit(m, train.slice(0, 128), {
        loss: lossFromConfig({ type: 'cosine' }),
        epochs: 2,
        batchSize: 32,
        seed: 9,
        workers,
        onEpoch: () => {
          epochs.push(flatWeights(m));
        },
      });
      expect(tf.memory().numTensors, `tensors left with ${workers} workers`).toBe(before);
      m.dispose();
      return epochs;
    };
    const [one, two] = [await run(1), await run(2)];
    expect(maxAbsDiff(one[0]!, one[1]!), 'the second epoch trained').toBeGreaterThan(1e-4);
    expect(maxAbsDiff(two[0]!, one[0]!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(two[1]!, one[1]!)).toBeLessThan(1e-4);
  });

  it('an abort stops the threads and throws E_ABORTED with the completed epochs', async () => {
    const m = model();
    const threads = osThreads();
    const controller = new AbortController();
    const error = await fit(m, train, {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 3,
      batchSize: 32,
      workers: 2,
      signal: controller.signal,
      onBatch: (e) => {
        if (e.epoch === 2 && e.batch === 3) controller.abort();
      },
    }).catch((e) => e);
    expect(error.code).toBe('E_ABORTED');
    expect(error.details.history).toHaveLength(1);
    expect(osThreads()).toBeLessThanOrEqual(threads);
    m.dispose();
  });

  it('a worker that fails to start is E_WORKER_FAILED, naming the worker, and no thread is left', async () => {
    const m = model();
    const threads = osThreads();
    const setup = `data:text/javascript,${encodeURIComponent('throw new Error("setup exploded")')}`;
    const error = await fit(m, train, {
      loss: lossFromConfig({ type: 'cosine' }),
      workers: 2,
      workerSetup: setup,
    }).catch((e) => e);
    expect(error.code).toBe('E_WORKER_FAILED');
    expect(error.message).toMatch(/worker thread 1 failed: setup exploded/);
    expect(osThreads()).toBeLessThanOrEqual(threads);
    m.dispose();
  });

  it('a custom step: unknown to the threads without workerSetup (its code kept), trained with it', async () => {
    const { doubledMean } = await import('./fixtures/parallel-setup.mjs');
    const tokenizer = Tokenizer.build(corpus);
    const custom = () =>
      new SiameseModel({
        tokenizer,
        encoder: sequential([embedding({ vocabSize: tokenizer.vocab.size, dim: 16 }), doubledMean()], {
          seed: 3,
        }),
      });
    const options = { loss: lossFromConfig({ type: 'cosine' }), batchSize: 32, workers: 2 };
    const unknown = await fit(custom(), train, options).catch((e) => e);
    expect(unknown.code).toBe('E_UNKNOWN_TYPE');
    expect(unknown.message).toMatch(/^worker 1: .*"doubledMean" is not registered/);
    const setup = new URL('./fixtures/parallel-setup.mjs', import.meta.url);
    const m = custom();
    const before = flatWeights(m);
    await fit(m, train, { ...options, workerSetup: setup });
    expect(maxAbsDiff(flatWeights(m), before)).toBeGreaterThan(1e-4);
    const rows = await m.embedMatrix(corpus.slice(0, 40), { workers: 2, workerSetup: setup });
    expect(maxAbsDiff(Array.from(rows), Array.from(await m.embedMatrix(corpus.slice(0, 40))))).toBeLessThan(
      1e-6,
    );
    m.dispose();
  });

  it('a worker whose step fails midway: E_WORKER_FAILED with its message, the calling thread unblocked, the model as it was, no thread left', async () => {
    const { doubledMean } = await import('./fixtures/parallel-setup.mjs');
    const tokenizer = Tokenizer.build(corpus);
    const m = new SiameseModel({
      tokenizer,
      encoder: sequential([embedding({ vocabSize: tokenizer.vocab.size, dim: 16 }), doubledMean()], {
        seed: 3,
      }),
    });
    const threads = osThreads();
    const before = flatWeights(m);
    const tensors = tf.memory().numTensors;
    // The setup module gives the worker threads a doubledMean that throws in training; the calling thread's works.
    const error = await fit(m, train, {
      loss: lossFromConfig({ type: 'cosine' }),
      batchSize: 32,
      workers: 2,
      workerSetup: new URL('./fixtures/parallel-failing-setup.mjs', import.meta.url),
    }).catch((e) => e);
    expect(error.code).toBe('E_WORKER_FAILED');
    expect(error.message).toMatch(/worker thread 1 failed: the shard exploded/);
    expect(flatWeights(m)).toEqual(before);
    expect(tf.memory().numTensors, 'tensors left on the calling thread').toBe(tensors);
    await expect.poll(osThreads, { timeout: 10_000 }).toBeLessThanOrEqual(threads);
    m.dispose();
  });

  it('without workers fit trains on the calling thread, even on 2048+ examples: no thread started, no note', async () => {
    const m = model('meanpool');
    const threads = osThreads();
    const notes: string[] = [];
    // 2,100 pairs: the size at which the former default started one thread per core.
    await fit(m, tsvPairs('stsb/train.tsv', 2100), {
      loss: lossFromConfig({ type: 'cosine' }),
      batchSize: 32,
      onInfo: (x) => notes.push(x),
    });
    expect(notes.filter((n) => n.startsWith('workers'))).toEqual([]);
    expect(osThreads()).toBe(threads);
    m.dispose();
  });

  it('a dev set large enough for parallel embedding is embedded on the calling thread while fit holds the threads', async () => {
    const m = model('cnn');
    // 2,100 scored pairs: 4,200 texts, above the 4096 at which embed() shares texts across threads by default.
    const dev = tsvPairs('stsb/train.tsv', 2100);
    const result = await fit(m, train.slice(0, 128), {
      loss: lossFromConfig({ type: 'cosine' }),
      batchSize: 32,
      workers: 2,
      dev,
    });
    expect(result.history[0]!.metric).toBeGreaterThan(0);
    m.dispose();
  });

  it('rejects workers that are not whole numbers ≥ 1', async () => {
    const m = model();
    for (const workers of [0, 1.5, -2]) {
      const e = await fit(m, train, { loss: lossFromConfig({ type: 'cosine' }), workers }).catch((x) => x);
      expect(e.code).toBe('E_INVALID_ARGUMENT');
      expect(e.message).toContain('fit: workers');
    }
    m.dispose();
  });
});

describe('embed({ workers })', () => {
  it('2 threads give the rows of 1, in input order; the threads stay with the model until dispose()', async () => {
    const m = model('cnn');
    const texts = corpus.slice(0, 500);
    const one = await m.embedMatrix(texts, { workers: 1 });
    const two = await m.embedMatrix(texts, { workers: 2 });
    expect(two.length).toBe(one.length);
    expect(maxAbsDiff(Array.from(two), Array.from(one))).toBeLessThan(1e-6);
    const kept = osThreads();
    const normalized = await m.embed(texts.slice(0, 20), { workers: 2, normalize: true });
    expect(osThreads(), 'a second call reuses them').toBe(kept);
    const norm = Math.hypot(...normalized[7]!);
    expect(Math.abs(norm - 1)).toBeLessThan(1e-5);
    m.dispose();
    // workers: 2 is the calling thread and one worker thread, which runs on at least one OS thread of its own.
    await expect.poll(osThreads, { timeout: 10_000 }).toBeLessThanOrEqual(kept - 1);
  });

  it('weights changed since the last call reach the kept threads; another thread count restarts them', async () => {
    const m = model('cnn');
    const texts = corpus.slice(0, 64);
    const before = await m.embedMatrix(texts, { workers: 2 });
    for (const v of m.encoder.weights().values()) tf.tidy(() => v.assign(tf.mul(v, 0.5)));
    const one = await m.embedMatrix(texts, { workers: 1 });
    const two = await m.embedMatrix(texts, { workers: 2 });
    expect(maxAbsDiff(Array.from(one), Array.from(before)), 'the weights did change').toBeGreaterThan(1e-3);
    expect(maxAbsDiff(Array.from(two), Array.from(one))).toBeLessThan(1e-6);
    const three = await m.embedMatrix(texts, { workers: 3 });
    expect(maxAbsDiff(Array.from(three), Array.from(one))).toBeLessThan(1e-6);
    m.dispose();
  });

  it('a process that embedded on threads and never disposed the model still finishes its calls and exits', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/siamese-threads-`)}/exits.mjs`;
    writeFileSync(
      file,
      `
      import { createModel, initBackend } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      await initBackend();
      const m = createModel({ preset: 'cnn', texts: ['a b c', 'b c d'], seed: 1, embeddingDim: 8 });
      const rows = await m.embedMatrix(['a b', 'c d', 'b c', 'a d'], { workers: 2 });
      // Reassigned weights are sent to the idle (unreferenced) threads: the process must wait for their answer.
      for (const v of m.encoder.weights().values()) v.assign(v.clone());
      const again = await m.embedMatrix(['a b', 'c d', 'b c', 'a d'], { workers: 2 });
      console.log(rows.length === 4 * m.dim && again.length === rows.length);`,
    );
    const r = spawnSync(process.execPath, [file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('true');
  });
});
