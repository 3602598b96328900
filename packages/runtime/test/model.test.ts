import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensorLeakCheck } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import { lossFromConfig } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildIndex,
  calibrateThreshold,
  classify,
  createModel,
  evaluate,
  fit,
  folderCheckpoints,
  initBackend,
  loadModel,
  match,
  modelFromBytes,
  modelToBytes,
  type SiameseModel,
  saveModel,
  search,
  similarity,
  vectorSimilarity,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

const train = tsvPairs('stsb/train.tsv', 192);
const dev = tsvPairs('stsb/dev.tsv', 96);
const dir = mkdtempSync(join(tmpdir(), 'siamese-runtime-'));
let model: SiameseModel;

beforeAll(async () => {
  await initBackend();
  model = createModel({
    preset: 'bilstm',
    texts: train.flatMap((p) => [p.text1, p.text2]),
    hidden: 16,
    embeddingDim: 16,
    seed: 7,
  });
});
afterAll(() => {
  model?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('fit', () => {
  it('trains on WASM: the loss goes down and dev metrics are reported every epoch', async () => {
    const batches: number[] = [];
    const result = await fit(model, train, {
      loss: lossFromConfig({ type: 'cosine' }),
      epochs: 3,
      batchSize: 32,
      lr: 5e-3,
      seed: 1,
      dev,
      onBatch: (e) => {
        batches.push(e.loss);
        expect(tf.getBackend()).toBe('wasm');
        expect(e.pairsPerSec).toBeGreaterThan(0);
      },
    });
    expect(result.history).toHaveLength(3);
    expect(batches).toHaveLength(18);
    expect(result.history[2]!.loss).toBeLessThan(result.history[0]!.loss);
    for (const h of result.history) expect(Number.isFinite(h.metric)).toBe(true);
    expect(result.best).not.toBeNull();
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
    expect(err.details.history).toHaveLength(1);
    m.dispose();
  });

  it('checkpoints every epoch and resumes where it stopped, landing on the same weights', async () => {
    const texts = train.flatMap((p) => [p.text1, p.text2]);
    const opts = { loss: lossFromConfig({ type: 'cosine' }), batchSize: 32, seed: 5, lr: 1e-2 };
    const full = createModel({ preset: 'meanpool', texts, hidden: 8, embeddingDim: 8, seed: 2 });
    await fit(full, train, { ...opts, epochs: 2 });
    const ck = join(dir, 'ck');
    const first = createModel({ preset: 'meanpool', texts, hidden: 8, embeddingDim: 8, seed: 2 });
    await fit(first, train, { ...opts, epochs: 1, checkpoints: folderCheckpoints(ck) });
    first.dispose();
    const resumed = createModel({ preset: 'meanpool', texts, hidden: 8, embeddingDim: 8, seed: 2 });
    const r = await fit(resumed, train, { ...opts, epochs: 2, checkpoints: folderCheckpoints(ck) });
    expect(r.resumedFrom).toBe(1);
    expect(r.history).toHaveLength(2);
    const [a] = await full.embed(['two dogs run']);
    const [b] = await resumed.embed(['two dogs run']);
    for (let i = 0; i < a!.length; i++) expect(b![i]).toBeCloseTo(a![i]!, 5);
    full.dispose();
    resumed.dispose();
  });
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

  it('similarity, search, match and classify answer sensibly', async () => {
    expect(await similarity(model, 'a man plays guitar', 'a man plays guitar')).toBeCloseTo(1, 5);
    const hits = await search(
      model,
      'a man plays guitar',
      ['a woman slices an onion', 'a man plays guitar', 'dogs run'],
      { k: 2 },
    );
    expect(hits[0]!.text).toBe('a man plays guitar');
    expect(hits).toHaveLength(2);
    const none = await match(model, 'zzz qqq', ['a man plays guitar'], { threshold: 1.01 });
    expect(none.match).toBeNull();
    expect(none.best).not.toBeNull();
    const c = await classify(model, 'a man plays guitar', [
      { text: 'a man plays guitar', label: 'music' },
      { text: 'a woman slices an onion', label: 'food' },
    ]);
    expect(c.label).toBe('music');
  });

  it('evaluates scored, binary, triplet and retrieval data', async () => {
    // The result type follows the data: no casts.
    const scored = await evaluate(model, dev);
    expect(scored.n).toBe(dev.length);
    expect(Math.abs(scored.spearman)).toBeLessThanOrEqual(1);
    const binary = await evaluate(
      model,
      dev.map((p) => ({ text1: p.text1, text2: p.text2, label: p.score > 0.6 ? 1 : 0 })),
    );
    expect(binary.f1).toBeGreaterThan(0);
    const trip = await evaluate(model, [
      { anchor: 'a man plays guitar', positive: 'a man plays guitar', negative: 'dogs run' },
    ]);
    expect(trip.accuracy).toBe(1);
    const ret = await evaluate(model, {
      queries: ['a man plays guitar'],
      corpus: ['dogs run', 'a man plays guitar'],
      relevant: [[1]],
      k: 1,
    });
    expect(ret.recallAtK).toBe(1);
    await expect(evaluate(model, [])).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
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
    writeFileSync(join(folder, 'model.json'), JSON.stringify(manifest));
    await expect(loadModel(folder)).rejects.toMatchObject({ code: 'E_MODEL_MISMATCH' });
    await expect(loadModel(join(dir, 'nope'))).rejects.toMatchObject({ code: 'E_MODEL_NOT_FOUND' });
  });
});
