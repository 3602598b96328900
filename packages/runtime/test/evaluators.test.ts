// The evaluators beyond `evaluate`'s first four: retrieval at several k, reranking, paraphrase mining and
// community detection (chunked, checked against brute force), and several dev sets in one `fit`. Hand-computed
// values on small inputs; real data (STS-B, MRPC) through a model on the WASM backend.
import { Rng } from '@siamese/core';
import { CosineSimilarityLoss } from '@siamese/losses';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimilarityBlocks } from '../src/eval/similarity-blocks.js';
import {
  communityDetection,
  communityDetectionVectors,
  createModel,
  evaluate,
  fit,
  initBackend,
  paraphraseMining,
  paraphraseMiningVectors,
  rerankingMetrics,
  retrievalMetrics,
  scoreMinedPairs,
} from '../src/index.js';
import { tsvPairs } from './helpers.js';

beforeAll(async () => {
  await initBackend();
  expect(tf.getBackend()).toBe('wasm');
});

const l3 = Math.log2(3);
const l5 = Math.log2(5);

describe('retrievalMetrics at several k (InformationRetrievalEvaluator definitions)', () => {
  // Query A ranks [3, 1, 2, 5] with {1, 5} relevant: hits at ranks 2 and 4. Query B ranks [0, 2, 1, 4], {4}: rank 4.
  const m = retrievalMetrics(
    [
      [3, 1, 2, 5],
      [0, 2, 1, 4],
    ],
    [new Set([1, 5]), new Set([4])],
    [4, 1, 2],
  );
  it('k = 1: neither query has a hit', () => {
    for (const name of ['accuracy', 'precision', 'recall', 'mrr', 'ndcg', 'map'] as const)
      expect(m[`${name}@1`]).toBe(0);
  });
  it('k = 2: only A hits, at rank 2', () => {
    expect(m['accuracy@2']).toBe(0.5);
    expect(m['precision@2']).toBeCloseTo(0.25, 12); // A 1/2, B 0
    expect(m['recall@2']).toBeCloseTo(0.25, 12); // A 1/2, B 0
    expect(m['mrr@2']).toBeCloseTo(0.25, 12);
    expect(m['ndcg@2']).toBeCloseTo(1 / l3 / (1 + 1 / l3) / 2, 12);
    expect(m['map@2']).toBeCloseTo(1 / 8, 12); // A: (1/2) / min(2, 2)
  });
  it('k = 4: both hit; MAP averages precision at each hit over min(k, relevant)', () => {
    expect(m['accuracy@4']).toBe(1);
    expect(m['precision@4']).toBeCloseTo((2 / 4 + 1 / 4) / 2, 12);
    expect(m['recall@4']).toBe(1);
    expect(m['mrr@4']).toBeCloseTo((1 / 2 + 1 / 4) / 2, 12);
    expect(m['ndcg@4']).toBeCloseTo(((1 / l3 + 1 / l5) / (1 + 1 / l3) + 1 / l5) / 2, 12);
    expect(m['map@4']).toBeCloseTo(((1 / 2 + 2 / 4) / 2 + 1 / 4) / 2, 12);
  });
  it('the largest k is `k`, and recallAtK/mrrAtK/ndcgAtK repeat its values', () => {
    expect(m.k).toBe(4);
    expect(m.recallAtK).toBe(m['recall@4']);
    expect(m.mrrAtK).toBe(m['mrr@4']);
    expect(m.ndcgAtK).toBe(m['ndcg@4']);
    expect(m.n).toBe(2);
  });
  it('bad cut-offs are typed errors', () => {
    for (const k of [0, 1.5, [], [1, -2]] as never[])
      expect(() => retrievalMetrics([[1]], [new Set([1])], k)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
      );
  });
});

describe('rerankingMetrics', () => {
  it('MAP over the whole list, MRR@k and nDCG@k of the first positives', () => {
    // Ranked: 0 (0.9, −), 2 (0.5, +), 1 (0.2, +), 3 (0.1, −).
    const m = rerankingMetrics([[0.9, 0.2, 0.5, 0.1]], [[false, true, true, false]]);
    expect(m.map).toBeCloseTo((1 / 2 + 2 / 3) / 2, 12);
    expect(m.mrrAtK).toBeCloseTo(1 / 2, 12);
    expect(m.ndcgAtK).toBeCloseTo((1 / l3 + 1 / 2) / (1 + 1 / l3), 12);
    const at1 = rerankingMetrics([[0.9, 0.2, 0.5, 0.1]], [[false, true, true, false]], 1);
    expect([at1.mrrAtK, at1.ndcgAtK, at1.map]).toEqual([0, 0, m.map]);
  });
  it('lists with no positive or no negative are skipped and counted', () => {
    const m = rerankingMetrics(
      [
        [0.3, 0.1],
        [0.5, 0.4],
        [0.2, 0.9],
      ],
      [
        [true, true],
        [false, false],
        [true, false],
      ],
    );
    expect(m).toMatchObject({ n: 1, skipped: 2, map: 0.5, mrrAtK: 0.5 });
    expect(rerankingMetrics([[1]], [[true]]).map).toBeNaN();
  });
});

/** Cosine in float32 arithmetic: rows L2-normalised to float32, dot products rounded to float32. */
function unitRows(v: Float32Array, dim: number) {
  const u = new Float32Array(v.length);
  for (let o = 0; o < v.length; o += dim) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += v[o + t]! ** 2;
    for (let t = 0; t < dim; t++) u[o + t] = v[o + t]! / Math.max(Math.sqrt(s), 1e-8);
  }
  return (i: number, j: number) => {
    let d = 0;
    for (let t = 0; t < dim; t++) d += u[i * dim + t]! * u[j * dim + t]!;
    return Math.fround(d);
  };
}

/** Brute force: the whole n × n matrix, each text's topK others (ties to the lower index), pairs once. */
function bruteParaphrases(v: Float32Array, dim: number, topK: number) {
  const n = v.length / dim;
  const sim = unitRows(v, dim);
  const pairs = new Map<string, { score: number; i: number; j: number }>();
  for (let i = 0; i < n; i++) {
    const others = [];
    for (let j = 0; j < n; j++) if (j !== i) others.push({ j, s: sim(i, j) });
    others.sort((a, b) => b.s - a.s || a.j - b.j);
    for (const { j, s } of others.slice(0, topK)) {
      const [a, b] = [Math.min(i, j), Math.max(i, j)];
      pairs.set(`${a},${b}`, { score: s, i: a, j: b });
    }
  }
  return [...pairs.values()].sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
}

/** Brute force of sentence-transformers' community_detection on the whole matrix. */
function bruteCommunities(v: Float32Array, dim: number, threshold: number, minSize: number) {
  const n = v.length / dim;
  const sim = unitRows(v, dim);
  const sims = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => sim(i, j)));
  const candidates = [];
  for (let i = 0; i < n; i++) {
    const close = sims[i]!.map((s, j) => ({ s, j })).filter((e) => e.s >= threshold);
    if (close.length >= minSize)
      candidates.push(
        close.sort((a, b) => (a.j === i ? -1 : b.j === i ? 1 : b.s - a.s || a.j - b.j)).map((e) => e.j),
      );
  }
  candidates.sort((a, b) => b.length - a.length);
  const taken = new Set<number>();
  const out: number[][] = [];
  for (const c of candidates) {
    const free = c.filter((t) => !taken.has(t));
    if (free.length < minSize) continue;
    for (const t of free) taken.add(t);
    out.push(free);
  }
  return out.sort((a, b) => b.length - a.length);
}

function randomVectors(n: number, dim: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * dim }, () => rng.next() * 2 - 1);
}

describe('paraphraseMining', () => {
  it('a hand-checked case: each text’s top-1 neighbour, pairs once, the threshold filters', () => {
    // Dot products: (0,1) 2, (2,3) 3, every other pair 0.
    const v = Float32Array.from([1, 0, 2, 0, 0, 1, 0, 3]);
    expect(paraphraseMiningVectors(v, 2, 'dot', { topK: 1 })).toEqual([
      { score: 3, i: 2, j: 3 },
      { score: 2, i: 0, j: 1 },
    ]);
    expect(paraphraseMiningVectors(v, 2, 'dot', { topK: 1, threshold: 2.5 })).toEqual([
      { score: 3, i: 2, j: 3 },
    ]);
    expect(paraphraseMiningVectors(v, 2, 'dot', { topK: 3, maxPairs: 2 })).toHaveLength(2);
  });
  it('chunked equals brute force on 150 random vectors, whatever the chunk', () => {
    const v = randomVectors(150, 8, 3);
    const want = bruteParaphrases(v, 8, 4);
    for (const chunk of [1, 7, 64, 1000]) {
      const got = paraphraseMiningVectors(v, 8, 'cosine', { topK: 4, chunk });
      expect(got.map((p) => [p.i, p.j])).toEqual(want.map((p) => [p.i, p.j]));
      for (const [t, p] of got.entries()) expect(p.score).toBeCloseTo(want[t]!.score, 5);
    }
  });
  it('holds chunk × n scores at a time, never n × n', () => {
    const v = randomVectors(90, 4, 5);
    const sizes: number[] = [];
    const block = SimilarityBlocks.prototype.block;
    SimilarityBlocks.prototype.block = function (this: SimilarityBlocks, s: number, e: number) {
      const out = block.call(this, s, e);
      sizes.push(out.length);
      return out;
    };
    try {
      paraphraseMiningVectors(v, 4, 'cosine', { topK: 2, chunk: 16 });
      communityDetectionVectors(v, 4, 'cosine', { chunk: 16, minSize: 2 });
    } finally {
      SimilarityBlocks.prototype.block = block;
    }
    expect(Math.max(...sizes)).toBe(16 * 90);
    expect(sizes).toHaveLength(12);
  });
  it('bad options are typed errors naming the option', () => {
    const v = randomVectors(4, 2, 1);
    expect(() => paraphraseMiningVectors(v, 2, 'cosine', { topK: 0 })).toThrow(/topK/);
    expect(() => paraphraseMiningVectors(v, 2, 'cosine', { chunk: 1.5 })).toThrow(/chunk/);
    expect(() => paraphraseMiningVectors(v, 2, 'cosine', { threshold: Number.NaN })).toThrow(/threshold/);
    expect(() => communityDetectionVectors(v, 2, 'cosine', { minSize: -1 })).toThrow(/minSize/);
  });
  it('scoreMinedPairs: AP and best F1 as ParaphraseMiningEvaluator', () => {
    // Mined best first: (0,1) dup, (0,2) not, (1,3) dup; 3 known duplicates (one never mined).
    const mined = [
      { score: 0.9, i: 0, j: 1 },
      { score: 0.8, i: 0, j: 2 },
      { score: 0.6, i: 1, j: 3 },
    ];
    const known = new Set([0 * 4 + 1, 1 * 4 + 3, 2 * 4 + 3]);
    const m = scoreMinedPairs(mined, known, 4);
    expect(m.averagePrecision).toBeCloseTo((1 + 2 / 3) / 3, 12);
    // F1 at the first pair: P 1, R 1/3 → 0.5; at the third: P 2/3, R 2/3 → 2/3 (best).
    expect(m.bestF1).toBeCloseTo(2 / 3, 12);
    expect(m.bestThreshold).toBeCloseTo(0.6, 12); // the last pair: halfway to itself
    expect(m.n).toBe(3);
  });
});

describe('communityDetection', () => {
  it('a hand-checked case: two groups, the loner left out, centre first then by similarity', () => {
    const v = Float32Array.from([1, 0, 0.99, 0.14, 0.98, -0.2, 0, 1, 0.1, 1, -1, 0]);
    expect(communityDetectionVectors(v, 2, 'cosine', { threshold: 0.9, minSize: 2 })).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(communityDetectionVectors(v, 2, 'cosine', { threshold: 0.9, minSize: 3 })).toEqual([[0, 1, 2]]);
  });
  it('chunked equals brute force on clustered random vectors', () => {
    const rng = new Rng(9);
    const centres = randomVectors(6, 6, 11);
    const v = new Float32Array(120 * 6);
    for (let i = 0; i < 120; i++)
      for (let t = 0; t < 6; t++) v[i * 6 + t] = centres[(i % 6) * 6 + t]! + (rng.next() - 0.5) * 0.5;
    const want = bruteCommunities(v, 6, 0.8, 5);
    expect(want.length).toBeGreaterThan(2);
    for (const chunk of [1, 13, 500])
      expect(communityDetectionVectors(v, 6, 'cosine', { threshold: 0.8, minSize: 5, chunk })).toEqual(want);
  });
});

describe('on real data (STS-B, MRPC) through a model on WASM', () => {
  const train = tsvPairs('stsb/train.tsv', 100_000);
  const texts = [...new Set(train.flatMap((p) => [p.text1, p.text2]))];
  const model = () => createModel({ preset: 'meanpool', texts, hidden: 32, embeddingDim: 32, seed: 4 });

  it('paraphrase mining of 3000 STS-B sentences equals brute force; exact duplicates score 1', async () => {
    const m = model();
    const sentences = texts.slice(0, 3000);
    const v = await m.embedMatrix(sentences);
    const got = await paraphraseMining(m, sentences, { topK: 3, chunk: 256 });
    const want = bruteParaphrases(v, m.dim, 3);
    expect(got.length).toBe(want.length);
    expect(got.map((p) => [p.i, p.j])).toEqual(want.map((p) => [p.i, p.j]));
    const groups = await communityDetection(m, sentences, { threshold: 0.95, minSize: 3, chunk: 500 });
    expect(groups).toEqual(bruteCommunities(v, m.dim, 0.95, 3));
    m.dispose();
  }, 600_000);

  it('evaluate: a reranking set and a paraphrase task from STS-B pairs; retrieval at several k', async () => {
    const m = model();
    const dev = tsvPairs('stsb/dev.tsv', 1500);
    const high = dev.filter((p) => p.score >= 0.8).slice(0, 40);
    const corpus = dev.map((p) => p.text2);
    // Reranking: the pair's own second sentence against 9 others.
    const samples = high.map((p, i) => ({
      query: p.text1,
      positive: [p.text2],
      negative: corpus.filter((t) => t !== p.text2).slice(i * 9, i * 9 + 9),
    }));
    const r = await evaluate(m, samples);
    expect(r.n).toBe(40);
    expect(r.map).toBeGreaterThan(0.5); // random ranking of 1 among 10: ≈ 0.29
    // The same through retrievalMetrics-style evaluation: one relevant per query among the whole dev corpus.
    const task = {
      queries: high.map((p) => p.text1),
      corpus,
      relevant: high.map((p) => [corpus.indexOf(p.text2)]),
      k: [1, 5, 10],
    };
    const ir = await evaluate(m, task);
    expect(ir['accuracy@1']).toBeLessThanOrEqual(ir['accuracy@5']!);
    expect(ir['accuracy@5']).toBeLessThanOrEqual(ir['accuracy@10']!);
    expect(ir['recall@10']).toBe(ir['accuracy@10']); // one relevant text per query
    expect(ir['precision@1']).toBe(ir['accuracy@1']);
    // Paraphrase mining over the pairs' sentences, the high-score pairs as known duplicates.
    const sentences = [...new Set(high.flatMap((p) => [p.text1, p.text2]))];
    const duplicates = high.map(
      (p) => [sentences.indexOf(p.text1), sentences.indexOf(p.text2)] as [number, number],
    );
    const pm = await evaluate(m, { texts: sentences, duplicates, topK: 5 });
    expect(pm.n).toBe(new Set(duplicates.map(([a, b]) => `${Math.min(a, b)},${Math.max(a, b)}`)).size);
    expect(pm.averagePrecision).toBeGreaterThan(0.2);
    expect(pm.bestF1).toBeGreaterThan(0.2);
    m.dispose();
  }, 600_000);

  it('fit with two named dev sets (STS-B, MRPC): both reported, early stopping on the named one', async () => {
    const sts = tsvPairs('stsb/dev.tsv', 120);
    const mrpc = tsvPairs('mrpc/dev.tsv', 120, 1).map((p) => ({
      text1: p.text1,
      text2: p.text2,
      label: p.score,
    }));
    const m = model();
    const r = await fit(m, train.slice(0, 256), {
      loss: new CosineSimilarityLoss(),
      epochs: 3,
      batchSize: 32,
      lr: 0.01,
      dev: { sts, mrpc },
      metric: 'mrpc/f1',
      patience: 2,
      seed: 1,
    });
    for (const h of r.history) {
      expect(Object.keys(h.devSets!)).toEqual(['sts', 'mrpc']);
      expect(h.metric).toBe((h.devSets!.mrpc as { f1: number }).f1);
      expect(h.devMetrics).toBe(h.devSets!.mrpc);
      expect(h.devSets!.sts).toMatchObject({ n: 120 });
    }
    expect(r.best!.metric).toBe(Math.max(...r.history.map((h) => h.metric!)));
    // Without `metric`: the first set's default (Spearman).
    const r2 = await fit(m, train.slice(0, 64), {
      loss: new CosineSimilarityLoss(),
      epochs: 1,
      dev: { sts, mrpc },
    });
    expect(r2.history[0]!.metric).toBe((r2.history[0]!.devSets!.sts as { spearman: number }).spearman);
    m.dispose();
  }, 600_000);

  it('named dev sets: a metric that names no set fails before training, a bad set names itself', async () => {
    const m = model();
    const sts = tsvPairs('stsb/dev.tsv', 10);
    const run = (dev: never, metric?: string) =>
      fit(m, train.slice(0, 16), {
        loss: new CosineSimilarityLoss(),
        epochs: 1,
        dev,
        ...(metric ? { metric } : {}),
      });
    await expect(run({ sts } as never, 'stsb/spearman')).rejects.toThrow(/names no dev set.*sts/);
    await expect(run({ sts } as never, 'spearman')).rejects.toThrow(/'<set>\/<metric>'/);
    await expect(run({} as never)).rejects.toThrow(/at least one named dev set/);
    await expect(run({ sts, bad: [{ nope: 1 }] } as never)).rejects.toThrow(/dev set 'bad'/);
    expect(m.training).toBeNull();
    m.dispose();
  }, 600_000);
});
