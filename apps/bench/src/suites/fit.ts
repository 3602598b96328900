import { PRESETS, type PresetName } from '@siamese/encoders';
import { lossFromConfig } from '@siamese/losses';
import { normalizeScores, readPairs } from '@siamese/pairs';
import { createModel, fit, initBackend } from '@siamese/runtime';
import { readDatasetText } from '../data.js';
import { peakRssMB, round } from '../measure.js';
import type { BenchRow, BenchSuite } from '../types.js';

async function stsb(split: 'train' | 'dev') {
  const text = readDatasetText(`stsb/${split}.tsv`);
  const { pairs } = await readPairs(text, { format: 'tsv', require: 'score' });
  return normalizeScores(pairs, { from: [0, 5] });
}

/**
 * What a user sees: `fit` end to end on real STS-B pairs (tokenizing, batching, forward, cosine loss, backward,
 * Adam, progress), and `embedMatrix` on the dev sentences (tokenizing, length buckets, encoding, read-back), with
 * the `createModel` presets (random 128-d embeddings, hidden 128, vocabulary from the training texts).
 */
const suite: BenchSuite = {
  name: 'fit',
  description:
    'createModel presets on STS-B: fit() pairs/s (1 epoch, batch 64, cosine) and embedMatrix() sentences/s',
  async run({ quick, log }) {
    await initBackend();
    const train = (await stsb('train')).slice(0, quick ? 256 : 3_000);
    const dev = await stsb('dev');
    const sentences = dev.flatMap((p) => [p.text1, p.text2]).slice(0, quick ? 256 : 3_000);
    const presets: PresetName[] = quick ? ['meanpool', 'cnn'] : (Object.keys(PRESETS) as PresetName[]);
    const rows: BenchRow[] = [];
    for (const preset of presets) {
      const model = createModel({ preset, texts: train.flatMap((p) => [p.text1, p.text2]), seed: 1 });
      const result = await fit(model, train, {
        loss: lossFromConfig({ type: 'cosine' }),
        epochs: 1,
        batchSize: 64,
        seed: 1,
        workers: 1, // one thread: the encoders suite has the rows with workers
      });
      await model.embedMatrix(sentences.slice(0, 256)); // warm-up
      const t0 = performance.now();
      await model.embedMatrix(sentences, { workers: 1 });
      const embedSec = (performance.now() - t0) / 1000;
      const row = {
        suite: 'fit',
        preset,
        backend: 'wasm',
        vocab: model.tokenizer.vocabSize,
        trainPairs: train.length,
        fitPairsPerSec: round(result.pairsPerSec),
        embedSentencesPerSec: round(sentences.length / embedSec),
        peakRssMB: peakRssMB(),
      };
      log(`fit: ${preset}: ${row.fitPairsPerSec} pairs/s, ${row.embedSentencesPerSec} sentences/s`);
      rows.push(row);
      model.dispose();
    }
    return rows;
  },
};
export default suite;
