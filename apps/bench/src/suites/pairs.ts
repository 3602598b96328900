import {
  BucketSampler,
  MPerClassSampler,
  NoDuplicatesSampler,
  pairsFromLabels,
  parsePairs,
  RandomSampler,
  readPairs,
  type Sampler,
  splitPairs,
  tripletsFromLabels,
} from '@siamese/pairs';
import { readDataset } from '../data.js';
import { round, timeIt } from '../measure.js';
import type { BenchRow, BenchSuite } from '../types.js';

/** Data loading and sampling throughput: TSV parsing, pair/triplet generation, batches per second. */
const suite: BenchSuite = {
  name: 'pairs',
  description: 'TSV parse MB/s, pair/triplet generation, split and sampler throughput',
  async run({ quick, log }) {
    const runs = quick ? 5 : 15;
    const rows: BenchRow[] = [];
    const bytes = readDataset('stsb/train.tsv');
    const text = new TextDecoder().decode(bytes);
    const mb = bytes.length / 1e6;

    log('pairs: parsing');
    const parse = await timeIt(() => parsePairs(text, { scoreRange: [0, 5] }), runs, 5);
    rows.push({
      suite: 'pairs',
      op: 'parse STS-B train (string)',
      MBps: round(mb / (parse.medianMs / 1000)),
      rowsPerSec: round(5749 / (parse.medianMs / 1000), 0),
    });
    const stream = await timeIt(() => readPairs(chunks(bytes, 16 * 1024)), runs, 5);
    rows.push({
      suite: 'pairs',
      op: 'parse STS-B train (16 KiB byte chunks)',
      MBps: round(mb / (stream.medianMs / 1000)),
      rowsPerSec: round(5749 / (stream.medianMs / 1000), 0),
    });
    const csv = `text1,text2,score\n${text
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) =>
        l
          .split('\t')
          .map((f) => `"${f.replaceAll('"', '""')}"`)
          .join(','),
      )
      .join('\n')}`;
    const quoted = await timeIt(() => parsePairs(csv, { format: 'csv' }), runs, 5);
    rows.push({
      suite: 'pairs',
      op: 'parse STS-B as quoted CSV',
      MBps: round(csv.length / 1e6 / (quoted.medianMs / 1000)),
      rowsPerSec: round(5749 / (quoted.medianMs / 1000), 0),
    });

    const { pairs } = parsePairs(text);
    const n = quick ? 20_000 : 200_000;
    const items = Array.from({ length: n }, (_, i) => ({ text: `t${i}`, label: i % 100 }));
    log('pairs: generation');
    const gen = await timeIt(() => pairsFromLabels(items, { seed: 1 }), runs);
    rows.push({
      suite: 'pairs',
      op: `pairsFromLabels (${n} items, 100 classes)`,
      pairsPerSec: round(n / (gen.medianMs / 1000), 0),
    });
    const trip = await timeIt(() => tripletsFromLabels(items, { seed: 1 }), runs);
    rows.push({
      suite: 'pairs',
      op: `tripletsFromLabels (${n} items)`,
      pairsPerSec: round(n / (trip.medianMs / 1000), 0),
    });
    const split = await timeIt(
      () => splitPairs(pairs, { fractions: { train: 0.8, dev: 0.1, test: 0.1 }, seed: 1 }),
      runs,
    );
    rows.push({
      suite: 'pairs',
      op: 'splitPairs STS-B train (leakage-safe)',
      pairsPerSec: round(5749 / (split.medianMs / 1000), 0),
    });

    log('pairs: samplers');
    const size = quick ? 100_000 : 1_000_000;
    const bs = 64;
    const synthetic = Array.from({ length: size }, (_, i) => [`q${i % (size / 4)}`, `d${i}`]);
    const samplers: [string, Sampler][] = [
      ['RandomSampler', new RandomSampler({ size, batchSize: bs, seed: 1 })],
      [
        'NoDuplicatesSampler',
        new NoDuplicatesSampler({ size, texts: (i) => synthetic[i]!, batchSize: bs, seed: 1 }),
      ],
      [
        'MPerClassSampler (m=4)',
        new MPerClassSampler({
          labels: Int32Array.from({ length: size }, (_, i) => i % 1000),
          m: 4,
          batchSize: bs,
          seed: 1,
        }),
      ],
      [
        'BucketSampler',
        new BucketSampler({
          lengths: Int32Array.from({ length: size }, (_, i) => (i * 7919) % 128),
          batchSize: bs,
          seed: 1,
        }),
      ],
    ];
    for (const [name, s] of samplers) {
      let batches = 0;
      const t = await timeIt(
        () => {
          batches = 0;
          for (const _ of s.epoch(0)) batches++;
        },
        quick ? 2 : 5,
      );
      rows.push({
        suite: 'pairs',
        op: `${name} epoch (${size} examples, batch ${bs})`,
        batchesPerSec: round(batches / (t.medianMs / 1000), 0),
        epochMs: round(t.medianMs),
      });
    }
    const lengths = pairs.map((p) => Math.max(p.text1.split(' ').length, p.text2.split(' ').length));
    const pad = new BucketSampler({ lengths, batchSize: 32, seed: 1 }).paddingReport(0);
    rows.push({
      suite: 'pairs',
      op: 'padding STS-B train (words, batch 32)',
      randomPadding: round(pad.random.paddingRatio, 3),
      bucketedPadding: round(pad.bucketed.paddingRatio, 3),
      saved: round(pad.saved, 3),
    });
    return rows;
  },
};
export default suite;

function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
