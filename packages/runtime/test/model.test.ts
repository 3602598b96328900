import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensorLeakCheck } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import { lossFromConfig } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binaryMetrics,
  buildIndex,
  calibrateThreshold,
  classify,
  createModel,
  evaluate,
  type FitResult,
  fit,
  initBackend,
  loadModel,
  match,
  modelFromBytes,
  modelToBytes,
  pearson,
  retrievalMetrics,
  type SiameseModel,
  saveModel,
  search,
  similarities,
  similarity,
  spearman,
  vectorSimilarity,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

const train = tsvPairs('stsb/train.tsv', 192);
const dev = tsvPairs('stsb/dev.tsv', 96);
const dir = mkdtempSync(join(tmpdir(), 'siamese-runtime-'));
/** The model every inference and persistence test uses: trained here, once, whatever test runs alone. */
let model: SiameseModel;
let training: {
  result: FitResult;
  batchLosses: number[];
  backends: Set<string>;
  untrained: number;
  /** Largest change of each weight over training. */
  moved: Record<string, number>;
};

beforeAll(async () => {
  await initBackend();
  model = createModel({
    preset: 'bilstm',
    texts: train.flatMap((p) => [p.text1, p.text2]),
    hidden: 16,
    embeddingDim: 16,
    seed: 7,
  });
  const untrained = (await evaluate(model, dev)).spearman;
  const initial = new Map([...model.encoder.weights()].map(([n, v]) => [n, v.dataSync().slice()] as const));
  const batchLosses: number[] = [];
  const backends = new Set<string>();
  const result = await fit(model, train, {
    loss: lossFromConfig({ type: 'cosine' }),
    epochs: 3,
    batchSize: 32,
    lr: 5e-3,
    seed: 1,
    dev,
    onBatch: (e) => {
      batchLosses.push(e.loss);
      backends.add(tf.getBackend());
      expect(e.pairsPerSec).toBeGreaterThan(0);
    },
  });
  const moved = Object.fromEntries(
    [...model.encoder.weights()].map(([n, v]) => {
      const before = initial.get(n)!;
      return [n, Array.from(v.dataSync()).reduce((m, x, i) => Math.max(m, Math.abs(x - before[i]!)), 0)];
    }),
  );
  training = { result, batchLosses, backends, untrained, moved };
});
afterAll(() => {
  model?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('fit', () => {
  it('trains on WASM: the loss falls, dev Spearman beats the untrained model by a margin, every epoch reports', () => {
    const { result, batchLosses, backends, untrained } = training;
    expect([...backends]).toEqual(['wasm']);
    expect(result.history).toHaveLength(3);
    expect(batchLosses).toHaveLength(18);
    // Measured: loss 0.118 → 0.052 → 0.033; dev Spearman 0.259 untrained → 0.497, 0.599, 0.617.
    expect(result.history[2]!.loss).toBeLessThan(0.5 * result.history[0]!.loss);
    const metrics = result.history.map((h) => h.metric!);
    expect(metrics[2]).toBeGreaterThan(untrained + 0.25);
    for (const h of result.history) expect(h.devMetrics).toMatchObject({ spearman: h.metric, n: dev.length });
    const top = Math.max(...metrics);
    expect(result.best).toEqual({ metric: top, epoch: metrics.indexOf(top) + 1 });
    // Every weight trained (18 Adam steps of lr 5e-3 move each by well over 1e-3).
    expect(Object.keys(training.moved)).toHaveLength(9);
    for (const [name, d] of Object.entries(training.moved)) expect(d, name).toBeGreaterThan(1e-3);
  });

  it('records the loss, its similarity and the result in the model; saving keeps them', async () => {
    expect(model.loss).toEqual({ type: 'cosineSimilarity', reduction: 'mean' });
    expect(model.similarity).toBe('cosine');
    expect(model.training?.epochsRun).toBe(3);
    const loaded = await modelFromBytes(await modelToBytes(model));
    expect(loaded.loss).toEqual(model.loss);
    expect(loaded.training?.history.map((h) => h.loss)).toEqual(model.training?.history.map((h) => h.loss));
    // In a fresh process, the saved config is enough to go on training with the same loss.
    expect(lossFromConfig(loaded.loss!).getConfig()).toEqual(model.loss);
    loaded.dispose();
  });

  it('is deterministic for a seed', async () => {
    const run = async () => {
      const m = createModel({
        preset: 'meanpool',
        texts: train.flatMap((p) => [p.text1, p.text2]),
        hidden: 8,
        embeddingDim: 8,
        seed: 3,
      });
      const r = await fit(m, train.slice(0, 64), {
        loss: lossFromConfig({ type: 'cosine' }),
        epochs: 1,
        batchSize: 16,
        seed: 9,
      });
      const v = await m.embed(['a man plays a guitar']);
      m.dispose();
      return { loss: r.history[0]!.loss, v: Array.from(v[0]!) };
    };
    const a = await run();
    const b = await run();
    expect(b.loss).toBe(a.loss);
    expect(b.v).toEqual(a.v);
  });

  it('stops on an AbortSignal with the completed epochs', async () => {
    const ctrl = new AbortController();
    const m = createModel({ preset: 'meanpool', texts: ['a b c'], hidden: 4, embeddingDim: 4 });
    const err = await fit(m, train.slice(0, 64), {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 5,
      batchSize: 16,
      signal: ctrl.signal,
      onEpoch: () => ctrl.abort(),
    }).catch((e) => e);
    expect(SiameseError.is(err, 'E_ABORTED')).toBe(true);
    expect(err).toMatchObject({ code: 'E_ABORTED', message: 'training aborted after 1 completed epoch(s)' });
    expect(err.details.history).toHaveLength(1);
    m.dispose();
  });
  // Exact resume (bit-identical after 50 steps) and early stopping across a resume: resume.test.ts,
  // early-stopping.test.ts.
});

describe('inference', () => {
  it('embeds in input order regardless of length bucketing, without leaking tensors', async () => {
    const texts = ['a', 'a man is playing a large guitar on a stage tonight', '', 'two dogs'];
    const all = await model.embed(texts, { batchSize: 2 });
    for (let i = 0; i < texts.length; i++) {
      const [one] = await model.embed([texts[i]!]);
      for (let j = 0; j < one!.length; j++) expect(all[i]![j]).toBeCloseTo(one![j]!, 5);
    }
    await tensorLeakCheck(() => model.embed(texts), { iterations: 5 });
  });

  it('similarity, search, match and classify answer sensibly on texts that are not in the corpus', async () => {
    // Paraphrases and unrelated sentences, none of them a training text (checked below).
    const candidates = [
      'A man plays a flute.',
      'A woman slices an onion.',
      'A dog runs through the grass.',
      'The stock market fell sharply today.',
    ];
    const queries = [
      'The man is playing the flute.',
      'The woman is slicing an onion.',
      'A dog runs on the grass.',
    ];
    const unrelated = 'A plane is landing.';
    const examples = [
      { text: 'A man plays a flute.', label: 'music' },
      { text: 'A woman is playing the guitar.', label: 'music' },
      { text: 'A woman slices an onion.', label: 'food' },
      { text: 'A man is cutting a tomato.', label: 'food' },
      { text: 'A dog runs through the grass.', label: 'animals' },
      { text: 'A cat is sleeping.', label: 'animals' },
    ];
    const seen = new Set(train.flatMap((p) => [p.text1, p.text2]));
    for (const t of [...candidates, ...queries, unrelated, ...examples.map((e) => e.text)])
      expect(seen.has(t), t).toBe(false);
    expect(await similarity(model, queries[0]!, queries[0]!)).toBeCloseTo(1, 5);
    // Measured: each query ranks its paraphrase first (0.84, 0.76, 0.87); the untrained model ranks the flute
    // query's paraphrase third.
    for (const [i, q] of queries.entries()) {
      const hits = await search(model, q, candidates, { k: 2 });
      expect(hits[0]!.index, q).toBe(i);
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    }
    // Match at 0.7: the paraphrase matches; an unrelated sentence (best 0.33; untrained 0.74) does not.
    const yes = await match(model, queries[0]!, candidates, { threshold: 0.7 });
    expect(yes.match?.text).toBe('A man plays a flute.');
    const no = await match(model, unrelated, candidates.slice(0, 2), { threshold: 0.7 });
    expect(no.match).toBeNull();
    expect(no.best!.score).toBeLessThan(0.7);
    // Few-shot: 3 labels × 2 examples, queries not among them (the untrained model says "food" for the guitar).
    const guitar = await classify(model, 'The man is playing a guitar.', examples, { k: 2 });
    expect(guitar.label).toBe('music');
    expect((await classify(model, 'The dog is running.', examples, { k: 2 })).label).toBe('animals');
    // A label's score is the mean of its k best example similarities.
    const [q, ...ex] = await model.embed(['The man is playing a guitar.', ...examples.map((e) => e.text)]);
    const music = [0, 1].map((i) => vectorSimilarity(q!, ex[i]!, 'cosine')).sort((a, b) => b - a);
    expect(guitar.scores.music).toBeCloseTo((music[0]! + music[1]!) / 2, 12);
    const k1 = await classify(model, 'The man is playing a guitar.', examples, { k: 1 });
    expect(k1.scores.music).toBeCloseTo(music[0]!, 12);
  });

  it('embed({ normalize }) gives unit vectors in the direction of the raw ones', async () => {
    const texts = ['The man is playing the flute.', 'dogs', ''];
    const raw = await model.embed(texts);
    const unit = await model.embed(texts, { normalize: true });
    raw.forEach((r, i) => {
      const norm = Math.hypot(...r);
      expect(Math.hypot(...unit[i]!)).toBeCloseTo(1, 6);
      r.forEach((x, j) => {
        expect(unit[i]![j]).toBeCloseTo(x / norm, 6);
      });
    });
  });

  it('evaluate() equals the metric functions on the model’s own similarities, for every kind of data', async () => {
    const t1 = dev.map((p) => p.text1);
    const t2 = dev.map((p) => p.text2);
    const sims = await similarities(model, t1, t2);
    const gold = dev.map((p) => p.score);
    const scored = await evaluate(model, dev);
    expect(scored).toEqual({ pearson: pearson(sims, gold), spearman: spearman(sims, gold), n: dev.length });
    expect(scored.spearman).toBe(training.result.history[2]!.metric);
    const labels = dev.map((p) => (p.score > 0.6 ? 1 : 0));
    const binary = await evaluate(
      model,
      dev.map((p, i) => ({ text1: p.text1, text2: p.text2, label: labels[i]! })),
    );
    expect(binary).toEqual(binaryMetrics(sims, labels));
    // AP above the positive rate (what a random scorer gets) by a margin.
    const positives = labels.filter((l) => l === 1).length / labels.length;
    expect(binary.ap).toBeGreaterThan(positives + 0.2);
    // Triplets: positive = the pair's own second text (score ≥ 0.8), negative = another pair's.
    const rows = dev.flatMap((p, i) =>
      p.score >= 0.8
        ? [{ anchor: p.text1, positive: p.text2, negative: dev[(i + 7) % dev.length]!.text2 }]
        : [],
    );
    const pos = await similarities(
      model,
      rows.map((r) => r.anchor),
      rows.map((r) => r.positive),
    );
    const neg = await similarities(
      model,
      rows.map((r) => r.anchor),
      rows.map((r) => r.negative),
    );
    const correct = rows.filter((_, i) => pos[i]! > neg[i]!).length;
    expect(await evaluate(model, rows)).toEqual({ accuracy: correct / rows.length, n: rows.length });
    // Retrieval: each first sentence must find its own pair's second sentence among all 96.
    const k = 10;
    const qs = await model.embed(t1, { normalize: true });
    const corpus = await model.embed(t2, { normalize: true });
    const ranked = qs.map((q) =>
      corpus
        .map((c, j) => ({ j, s: c.reduce((acc, x, d) => acc + x * q[d]!, 0) }))
        .sort((a, b) => b.s - a.s || a.j - b.j)
        .slice(0, k)
        .map((h) => h.j),
    );
    const relevant = dev.map((_, i) => [i]);
    const retrieval = await evaluate(model, { queries: t1, corpus: t2, relevant, k });
    expect(retrieval).toEqual(
      retrievalMetrics(
        ranked,
        relevant.map((r) => new Set(r)),
        k,
      ),
    );
    await expect(evaluate(model, [])).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('calibrateThreshold(pairs, "accuracy" | "f1") stores binaryMetrics’ thresholds', async () => {
    const pairs = dev.map((p) => ({ text1: p.text1, text2: p.text2, label: p.score > 0.6 ? 1 : 0 }));
    const sims = await similarities(
      model,
      pairs.map((p) => p.text1),
      pairs.map((p) => p.text2),
    );
    const m = binaryMetrics(
      sims,
      pairs.map((p) => p.label),
    );
    expect(await calibrateThreshold(model, pairs, 'accuracy')).toEqual({
      value: m.accuracyThreshold,
      metric: 'accuracy',
      score: m.accuracy,
    });
    expect(model.threshold?.metric).toBe('accuracy');
    expect(await calibrateThreshold(model, pairs)).toEqual({ value: m.threshold, metric: 'f1', score: m.f1 });
  });
});

describe("the model's similarity decides search, match and evaluation", () => {
  it('a dot-product MNRL model is searched, matched and evaluated by dot product, also after a load', async () => {
    const m = createModel({
      preset: 'meanpool',
      texts: train.flatMap((p) => [p.text1, p.text2]),
      hidden: 16,
      embeddingDim: 16,
      seed: 4,
    });
    const info: string[] = [];
    await fit(m, train, {
      loss: lossFromConfig({ type: 'mnrl', similarity: 'dot' }),
      epochs: 1,
      batchSize: 16,
      seed: 4,
      onInfo: (x) => info.push(x),
    });
    expect(m.similarity).toBe('dot');
    expect(info).toContain('similarity: dot (from the multipleNegativesRanking loss; was cosine)');
    const corpus = [...new Set(dev.map((p) => p.text2))].slice(0, 40);
    const vectors = await m.embed(corpus);
    const ranked = async (query: string, s: 'dot' | 'cosine') => {
      const [q] = await m.embed([query]);
      return vectors
        .map((v, i) => [i, vectorSimilarity(q!, v, s)] as const)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .map(([i]) => i);
    };
    // A query whose best hit differs between dot product and cosine, so the checks below can tell them apart.
    let query = '';
    for (const p of dev) {
      if ((await ranked(p.text1, 'dot'))[0] !== (await ranked(p.text1, 'cosine'))[0]) {
        query = p.text1;
        break;
      }
    }
    expect(query).not.toBe('');
    const byDot = await ranked(query, 'dot');
    const hits = await search(m, query, corpus, { k: 5 });
    expect(hits.map((h) => h.index)).toEqual(byDot.slice(0, 5));
    const best = await match(m, query, corpus, { threshold: -1e9 });
    expect(best.match?.index).toBe(byDot[0]);
    const retrieval = await evaluate(m, { queries: [query], corpus, relevant: [[byDot[0]!]], k: 1 });
    expect(retrieval.recallAtK).toBe(1); // 0 if the corpus were ranked by cosine
    const loaded = await modelFromBytes(await modelToBytes(m));
    expect(loaded.similarity).toBe('dot');
    expect((await search(loaded, query, corpus, { k: 5 })).map((h) => h.index)).toEqual(byDot.slice(0, 5));
    // An index built for another similarity is refused, not silently misused.
    const cosineIndex = await buildIndex(model, corpus);
    await expect(search(m, query, cosineIndex)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    for (const x of [m, loaded]) x.dispose();
  });

  it('a loss that declares a similarity outside the vocabulary is refused before training', async () => {
    const m = createModel({ preset: 'meanpool', texts: ['a b'], hidden: 4, embeddingDim: 4 });
    const loss = Object.assign(lossFromConfig({ type: 'coSENT' }), { similarity: 'hamming' as never });
    await expect(fit(m, train.slice(0, 8), { loss })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
      message: expect.stringContaining(
        "fit: loss coSENT's similarity: expected one of cosine, dot, euclidean, manhattan",
      ),
    });
    m.dispose();
  });

  it('match without any threshold is E_NO_THRESHOLD', async () => {
    const m = createModel({ preset: 'meanpool', texts: ['a b'], hidden: 4, embeddingDim: 4 });
    await expect(match(m, 'a', ['b'])).rejects.toMatchObject({ code: 'E_NO_THRESHOLD' });
    m.dispose();
  });
});

describe('persistence', () => {
  it('save → load gives identical embeddings (folder and single file) and keeps the threshold', async () => {
    await calibrateThreshold(
      model,
      dev.map((p) => ({ text1: p.text1, text2: p.text2, label: p.score > 0.6 ? 1 : 0 })),
    );
    const texts = ['a man is playing a guitar', 'three dogs', 'an unseen zyzzyva word'];
    const before = await model.embed(texts);
    const folder = join(dir, 'm');
    await saveModel(model, folder);
    const file = join(dir, 'm.siamese');
    await saveModel(model, file, { format: 'file' });
    for (const src of [folder, file, await modelToBytes(model)]) {
      const loaded = await loadModel(src);
      const after = await loaded.embed(texts);
      expect(after.map((v) => Array.from(v))).toEqual(before.map((v) => Array.from(v)));
      expect(loaded.threshold).toEqual(model.threshold);
      loaded.dispose();
    }
  });

  it('loadModel({ fold }) decides whether inference keeps folded tables; the embeddings agree', async () => {
    const bytes = await modelToBytes(model);
    const texts = ['a man is playing a guitar', 'three dogs run', 'a woman slices an onion'];
    const run = async (m: SiameseModel) => {
      const start = tf.memory().numTensors;
      await m.embed(texts); // first call with these weights: unfolded
      const v = await m.embed(texts); // second: folds (when allowed) and keeps the tables
      return { held: tf.memory().numTensors - start, v: v.flatMap((x) => Array.from(x)) };
    };
    const folded = await loadModel(bytes);
    const plain = await loadModel(bytes, { fold: false });
    const tiny = await loadModel(bytes, { fold: { maxBytes: 1024 } });
    const [a, b, c] = [await run(folded), await run(plain), await run(tiny)];
    expect(a.held).toBe(2); // one [V, 4H] table per BiLSTM direction
    expect(b.held).toBe(0);
    expect(c.held).toBe(0); // each table is larger than the cap
    a.v.forEach((x, i) => {
      expect(x).toBeCloseTo(b.v[i]!, 5);
    });
    expect(c.v).toEqual(b.v);
    for (const m of [folded, plain, tiny]) m.dispose();
  });

  it('a crash mid-save leaves the previous model intact; a completed re-save removes the old weights', async () => {
    const folder = join(dir, 'atomic');
    const probe = ['a man is playing a guitar'];
    await saveModel(model, folder);
    const [old] = await model.embed(probe);
    const manifestBefore = readFileSync(join(folder, 'model.json'), 'utf8');
    const other = createModel({
      preset: 'bilstm',
      texts: train.flatMap((p) => [p.text1, p.text2]),
      hidden: 16,
      embeddingDim: 16,
      seed: 99,
    });
    // Crash the save of different weights at its commit point: the rename of the new manifest over the old one.
    const fsp = process.getBuiltinModule('fs/promises') as {
      rename: (a: string, b: string) => Promise<void>;
    };
    const rename = fsp.rename;
    fsp.rename = async (from, to) => {
      if (to.endsWith('model.json')) throw new Error('simulated crash');
      return rename(from, to);
    };
    try {
      await expect(saveModel(other, folder)).rejects.toThrow('simulated crash');
    } finally {
      fsp.rename = rename;
    }
    expect(readFileSync(join(folder, 'model.json'), 'utf8')).toBe(manifestBefore);
    const still = await loadModel(folder);
    expect(Array.from((await still.embed(probe))[0]!)).toEqual(Array.from(old!));
    still.dispose();
    // No temporary files are left behind; the orphaned new weights file is the only extra.
    expect(readdirSync(folder).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(folder).filter((f) => f.startsWith('weights-'))).toHaveLength(2);
    // A completed save commits the new weights and deletes the ones the old manifest pointed to.
    await saveModel(other, folder);
    const oldFile = JSON.parse(manifestBefore).weights.file;
    expect(readdirSync(folder)).not.toContain(oldFile);
    other.dispose();
  });

  it('reads a manifest written the old way: a loss config keyed by name', async () => {
    const folder = join(dir, 'legacy');
    await saveModel(model, folder);
    const manifest = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
    manifest.loss = { name: 'coSENT', scale: 20, similarity: 'cosine' };
    delete manifest.manifestSha256; // written before manifests were sealed
    writeFileSync(join(folder, 'model.json'), JSON.stringify(manifest));
    const loaded = await loadModel(folder);
    expect(loaded.loss).toEqual({ type: 'coSENT', scale: 20, similarity: 'cosine' });
    expect(lossFromConfig(loaded.loss!).type).toBe('coSENT');
    loaded.dispose();
  });

  it('refuses truncated, altered and mismatched models with typed errors', async () => {
    const bytes = await modelToBytes(model);
    await expect(modelFromBytes(bytes.subarray(0, bytes.length - 8))).rejects.toMatchObject({
      code: 'E_MODEL_TRUNCATED',
    });
    const altered = bytes.slice();
    altered[altered.length - 3]! ^= 1;
    await expect(modelFromBytes(altered)).rejects.toMatchObject({ code: 'E_MODEL_CHECKSUM' });
    await expect(modelFromBytes(new Uint8Array(40))).rejects.toMatchObject({ code: 'E_MODEL_CORRUPT' });
    // Manifest whose vocabulary is larger than the embedding: a vocabulary/weights mismatch.
    const folder = join(dir, 'mismatch');
    await saveModel(model, folder);
    const manifest = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
    manifest.tokenizer.vocabulary.tokens.push('extra-token-1', 'extra-token-2');
    manifest.tokenizer.vocabulary.counts.push(0, 0);
    delete manifest.manifestSha256; // unsealed, as an old folder: the shapes are still checked
    writeFileSync(join(folder, 'model.json'), JSON.stringify(manifest));
    await expect(loadModel(folder)).rejects.toMatchObject({ code: 'E_MODEL_MISMATCH' });
    await expect(loadModel(join(dir, 'nope'))).rejects.toMatchObject({ code: 'E_MODEL_NOT_FOUND' });
  });
});
