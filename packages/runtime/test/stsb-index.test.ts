import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseVectorsSync } from '@siamese/tokenizer';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../src/create-model.js';
import { initBackend } from '../src/index.js';
import { indexToBytes } from '../src/infer/index-format.js';
import { VectorIndex } from '../src/infer/vector-index.js';
import { dataDir, tsvPairs } from './helpers.js';

/**
 * The targets on real sentence embeddings: the STS-B corpus (every unique sentence of train + dev) and
 * the first sentence of 300 pairs as queries, embedded by the default recipe's encoder (CNN over GloVe) untrained,
 * so the test needs no training run; `npm run bench -- index` measures the trained model.
 */
describe('quantized indexes on STS-B', () => {
  let corpus: Float32Array;
  let queries: Float32Array;
  let dim: number;
  let n: number;
  beforeAll(async () => {
    await initBackend();
    const pairs = [...tsvPairs('stsb/train.tsv', 100_000), ...tsvPairs('stsb/dev.tsv', 100_000)];
    const texts = [...new Set(pairs.flatMap((p) => [p.text1, p.text2]))];
    const glove = gunzipSync(readFileSync(resolve(dataDir, 'glove/glove.6B.50d.10k.txt.gz'))).toString(
      'utf8',
    );
    const model = createModel({ texts, vectors: parseVectorsSync(glove), seed: 1 });
    corpus = await model.embedMatrix(texts);
    queries = await model.embedMatrix([...new Set(pairs.map((p) => p.text1))].slice(0, 300));
    dim = model.dim;
    n = texts.length;
    model.dispose();
  }, 600_000);

  const query = (i: number) => queries.subarray(i * dim, (i + 1) * dim);
  const recall = (index: VectorIndex, truth: Set<number>[]) => {
    let hit = 0;
    for (const [i, want] of truth.entries())
      hit += index.search(query(i), 10).filter((h) => want.has(h.index)).length;
    return hit / (truth.length * 10);
  };

  // A long timeout, not a speed check: a thousand scans of 13k × 384 values take minutes on a loaded machine.
  it('int8 recall@10 ≥ 0.99 in 4× less memory; binary with rescoring ≥ 0.97 scanning 32× less', {
    timeout: 900_000,
  }, () => {
    expect(n).toBeGreaterThan(13_000);
    const build = (precision: 'float32' | 'int8' | 'binary', rescoreTier?: 'none') => {
      const index = new VectorIndex(dim, { precision, capacity: n, ...(rescoreTier ? { rescoreTier } : {}) });
      index.add(corpus);
      return index;
    };
    const float = build('float32');
    const int8 = build('int8');
    const binary = build('binary');
    const bits = build('binary', 'none');
    const truth = Array.from(
      { length: 300 },
      (_, i) => new Set(float.search(query(i), 10).map((h) => h.index)),
    );
    const r = { int8: recall(int8, truth), binary: recall(binary, truth), bits: recall(bits, truth) };
    expect(r.int8).toBeGreaterThanOrEqual(0.99);
    expect(r.binary).toBeGreaterThanOrEqual(0.97);
    expect(r.bits).toBeLessThan(r.binary - 0.1); // the rescoring is what reaches the target
    expect(float.vectorBytes / int8.vectorBytes).toBeGreaterThan(3.99);
    expect(float.vectorBytes / binary.scanBytes).toBeGreaterThan(31.5);
    expect(float.vectorBytes / bits.vectorBytes).toBeGreaterThan(31.5);
    expect(indexToBytes(float).byteLength / indexToBytes(bits).byteLength).toBeGreaterThan(14); // u32 ids included
  });
});
