import { lossFromConfig } from '@siamese/losses';
import { normalizeScores, readPairs } from '@siamese/pairs';
import {
  createModel,
  fit,
  type IndexPrecision,
  indexToBytes,
  initBackend,
  type RescoreTier,
  type SearchHit,
  VectorIndex,
} from '@siamese/runtime';
import { parseVectorsSync } from '@siamese/tokenizer';
import { readDatasetText } from '../data.js';
import { median, round } from '../measure.js';
import type { BenchRow, BenchSuite } from '../types.js';

async function stsb(split: 'train' | 'dev') {
  const { pairs } = await readPairs(readDatasetText(`stsb/${split}.tsv`), {
    format: 'tsv',
    require: 'score',
  });
  return normalizeScores(pairs, { from: [0, 5] });
}

const K = 10;

/**
 * Quantized indexes on the STS-B corpus (issue 15): every unique sentence of train + dev is the corpus
 * (13,197), the first sentence of each pair a query (the first 1,000 of them). The default recipe (CNN + CoSENT,
 * GloVe) is trained for 2 epochs, the corpus embedded once, and float32, int8 and binary indexes built from the
 * same vectors. For each: recall@10 against the float32 search, the vector memory (ratio to float32; binary: the
 * scanned bits and in all, with the int8 rescore tier), the file size, and queries/s of the index search alone
 * (200 queries, median of 3 passes, float32 measured in the same run).
 */
const suite: BenchSuite = {
  name: 'index',
  description: 'float32 vs int8 vs binary (± rescoring) indexes on STS-B: recall@10, memory, queries/s',
  async run({ quick, log }) {
    await initBackend();
    const train = await stsb('train');
    const dev = await stsb('dev');
    const pairs = [...train, ...dev];
    let corpus = [...new Set(pairs.flatMap((p) => [p.text1, p.text2]))];
    let queries = [...new Set(pairs.map((p) => p.text1))];
    if (quick) corpus = corpus.slice(0, 2_000);
    // Recall over the first 1,000 queries; queries/s over the first 200 (median of 3 passes).
    queries = queries.slice(0, quick ? 100 : 1_000);
    const timed = quick ? 100 : 200;
    const vectors = quick ? undefined : parseVectorsSync(readDatasetText('glove/glove.6B.50d.10k.txt'));
    const model = createModel({
      texts: train.flatMap((p) => [p.text1, p.text2]),
      ...(vectors ? { vectors } : {}),
      seed: 1,
    });
    if (!quick) {
      log('index: training the default recipe (2 epochs) …');
      await fit(model, train, {
        loss: lossFromConfig({ type: 'coSENT' }),
        epochs: 2,
        batchSize: 32,
        seed: 1,
      });
    }
    log(
      `index: embedding ${corpus.length} corpus sentences and ${queries.length} queries (${model.dim}-d) …`,
    );
    const corpusVectors = await model.embedMatrix(corpus);
    const queryVectors = await model.embedMatrix(queries);
    const dim = model.dim;
    const query = (i: number) => queryVectors.subarray(i * dim, (i + 1) * dim);
    const build = (precision: IndexPrecision, rescoreTier?: RescoreTier) => {
      const index = new VectorIndex(dim, {
        similarity: model.similarity,
        precision,
        capacity: corpus.length,
        ...(rescoreTier ? { rescoreTier } : {}),
      });
      index.add(corpusVectors, corpus);
      return index;
    };
    const runAll = (index: VectorIndex, rescore?: number) => {
      const out: SearchHit[][] = [];
      for (let i = 0; i < queries.length; i++)
        out.push(index.search(query(i), K, rescore === undefined ? {} : { rescore }));
      return out;
    };
    const timeAll = (index: VectorIndex, rescore?: number) => {
      const result = runAll(index, rescore);
      const times: number[] = [];
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now();
        for (let i = 0; i < timed; i++) index.search(query(i), K, rescore === undefined ? {} : { rescore });
        times.push(performance.now() - t0);
      }
      return { result, qps: timed / (median(times) / 1000) };
    };

    const float = build('float32');
    const truth = timeAll(float);
    const recall = (got: SearchHit[][]) => {
      let hit = 0;
      for (let i = 0; i < got.length; i++) {
        const want = new Set(truth.result[i]!.map((h) => h.index));
        hit += got[i]!.filter((h) => want.has(h.index)).length;
      }
      return hit / (got.length * K);
    };
    const rows: BenchRow[] = [];
    const row = (
      precision: IndexPrecision,
      index: VectorIndex,
      rescore: number | undefined,
      timed: typeof truth,
    ) => {
      const r = {
        suite: 'index',
        precision,
        rescoreTier: index.rescoreTier,
        rescore: precision === 'float32' ? 1 : (rescore ?? 0),
        corpus: corpus.length,
        queries: queries.length,
        dim,
        recallAt10: round(recall(timed.result), 4),
        vectorBytes: index.vectorBytes,
        memoryRatio: round(float.vectorBytes / index.vectorBytes, 2),
        scanBytes: index.scanBytes,
        scanRatio: round(float.vectorBytes / index.scanBytes, 2),
        fileBytes: indexToBytes(index).byteLength,
        queriesPerSec: round(timed.qps),
        qpsVsFloat: round(timed.qps / truth.qps, 2),
      };
      log(
        `index: ${precision}${rescore ? ` ×${rescore}` : ''} (tier ${index.rescoreTier}): recall@10 ${r.recallAt10}, ${r.memoryRatio}× less memory (${r.scanRatio}× scanned), ${r.queriesPerSec} q/s (${r.qpsVsFloat}× float)`,
      );
      rows.push(r);
    };
    row('float32', float, undefined, truth);
    const int8 = build('int8');
    row('int8', int8, 2, timeAll(int8, 2));
    const bits = build('binary', 'none');
    row('binary', bits, 1, timeAll(bits, 1));
    const binary = build('binary', 'int8');
    for (const rescore of quick ? [32] : [8, 16, 32])
      row('binary', binary, rescore, timeAll(binary, rescore));
    model.dispose();
    return rows;
  },
};
export default suite;
