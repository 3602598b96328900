import { parseVectors, Tokenizer } from '@siamese/tokenizer';
import { readDataset, readDatasetText } from '../data.js';
import { round, timeIt } from '../measure.js';
import type { BenchSuite } from '../types.js';

/** Tokenizer throughput on STS-B sentences and GloVe parse speed. */
const suite: BenchSuite = {
  name: 'tokenizer',
  description: 'encodeBatch MB/s + tokens/s on STS-B train (batches of 64); GloVe 10k parse MB/s',
  async run({ quick, log }) {
    const tsv = readDatasetText('stsb/train.tsv');
    let texts = tsv
      .split('\n')
      .slice(1)
      .filter((l) => l.length > 0)
      .flatMap((l) => l.split('\t').slice(0, 2));
    if (quick) texts = texts.slice(0, 2000);
    const tok = Tokenizer.build(texts);
    const enc = new TextEncoder();
    const bytes = texts.reduce((n, t) => n + enc.encode(t).length, 0);
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += 64) batches.push(texts.slice(i, i + 64));
    let tokens = 0;
    for (const b of batches) tokens += tok.encodeBatch(b).lengths.reduce((a, x) => a + x, 0);
    const runs = quick ? 3 : 9;
    log(`tokenizer: ${texts.length} sentences, ${bytes} bytes, ${tokens} tokens, vocab ${tok.vocab.size}`);
    const plain = await timeIt(() => {
      for (const b of batches) tok.encodeBatch(b, { maxLength: 128 });
    }, runs);
    const ngram = await timeIt(() => {
      for (const b of batches)
        tok.encodeBatch(b, {
          maxLength: 128,
          ngrams: { minN: 3, maxN: 6, buckets: 200_000, maxPerToken: 24 },
        });
    }, runs);
    const offsets = await timeIt(() => {
      for (const t of texts) tok.tokenize(t);
    }, runs);

    const glove = readDataset('glove/glove.6B.50d.10k.txt');
    const gloveText = new TextDecoder().decode(glove);
    const chunk = 64 * 1024;
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < glove.length; i += chunk) c.enqueue(glove.subarray(i, i + chunk));
          c.close();
        },
      });
    const parseStr = await timeIt(() => parseVectors(gloveText), quick ? 2 : 7);
    const parseStream = await timeIt(() => parseVectors(stream()), quick ? 2 : 7);
    const mb = bytes / 1e6;
    const gmb = glove.length / 1e6;
    const row = (op: string, ms: number, extra: Record<string, number> = {}) => ({
      suite: 'tokenizer',
      op,
      medianMs: round(ms, 2),
      ...extra,
    });
    return [
      row('encodeBatch', plain.medianMs, {
        MBps: round(mb / (plain.medianMs / 1000)),
        tokensPerSec: round(tokens / (plain.medianMs / 1000), 0),
      }),
      row('encodeBatch+ngrams', ngram.medianMs, {
        MBps: round(mb / (ngram.medianMs / 1000)),
        tokensPerSec: round(tokens / (ngram.medianMs / 1000), 0),
      }),
      row('tokenize (offsets)', offsets.medianMs, {
        MBps: round(mb / (offsets.medianMs / 1000)),
        tokensPerSec: round(tokens / (offsets.medianMs / 1000), 0),
      }),
      row('parseVectors (string)', parseStr.medianMs, { MBps: round(gmb / (parseStr.medianMs / 1000)) }),
      row('parseVectors (stream 64 KiB)', parseStream.medianMs, {
        MBps: round(gmb / (parseStream.medianMs / 1000)),
      }),
    ];
  },
};
export default suite;
