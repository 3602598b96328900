import {
  BucketSampler,
  collectBatches,
  epochSeed,
  isDatasetError,
  MPerClassSampler,
  NoDuplicatesSampler,
  normalizeScores,
  pairsFromLabels,
  parsePairs,
  RandomSampler,
  readPairs,
  splitPairs,
  tripletsFromLabels,
} from '@siamese/pairs';
import { assert, assertClose, assertEqual, assertThrows, defineSuite } from '../harness.js';

/** A web ReadableStream over `bytes` in `size`-byte chunks (splits lines and multi-byte characters). */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

export default defineSuite('pairs', (test) => {
  test('MRPC dev through a ReadableStream of 13-byte chunks: exact counts and fields', async (ctx) => {
    const text = await ctx.data('mrpc/dev.tsv');
    const { pairs, report } = await readPairs(chunked(new TextEncoder().encode(text), 13), {
      source: 'mrpc/dev.tsv',
    });
    assertEqual(
      report,
      { source: 'mrpc/dev.tsv', rows: 500, accepted: 500, skipped: 0, problems: [] },
      'report',
    );
    assertEqual(pairs.length, 500, 'pairs');
    assertEqual(pairs.filter((p) => p.label === 1).length, 346, 'positives');
    assertEqual(
      pairs[3],
      {
        text1: `"We're a quiet, peaceful town of 862 people and nothing ever happens," said Carolyn Greene Bennett, Cedar Grove's town recorder.`,
        text2: `"We're a quiet, peaceful town of 862 people and nothing ever happens," Bennett said.`,
        line: 5,
        label: 1,
      },
      'row with quotes',
    );
    assertEqual(pairs[499]?.line, 501, 'last line');
    assertEqual(pairs, parsePairs(text).pairs, 'stream equals string parse');
  });

  test('STS-B dev: scores, normalisation and a data set error with its location', async (ctx) => {
    const text = await ctx.data('stsb/dev.tsv');
    const { pairs } = parsePairs(text, { scoreRange: [0, 5] });
    assertEqual(pairs.length, 1500, 'rows');
    assertClose(
      normalizeScores(pairs.slice(0, 2), { from: [0, 5] }).map((p) => p.score),
      [1, 0.95],
      1e-12,
      'normalised',
    );
    const err = await assertThrows(
      () => parsePairs('sentence1\tsentence2\tscore\na\tb\t9\n', { source: 'x.tsv', scoreRange: [0, 5] }),
      'E_DATASET_SCORE_RANGE',
      'range',
    );
    assert(isDatasetError(err), 'a SiameseError with an E_DATASET_ code');
    assertEqual((err as { details?: unknown }).details, { source: 'x.tsv', line: 2, column: 5 }, 'details');
  });

  test('seeded samplers give the same batches on every runtime', () => {
    assertEqual([epochSeed(42, 0), epochSeed(42, 1)], [230039903, 149712762], 'epochSeed');
    assertEqual(
      collectBatches(new RandomSampler({ size: 10, batchSize: 4, seed: 42 }), 0),
      [
        [9, 8, 2, 7],
        [6, 0, 1, 4],
        [3, 5],
      ],
      'RandomSampler',
    );
    const pairs = ['ab', 'ac', 'bc', 'de', 'fg', 'ha', 'ij', 'kl'].map((s) => ({
      text1: s[0]!,
      text2: s[1]!,
    }));
    assertEqual(
      collectBatches(NoDuplicatesSampler.fromPairs(pairs, { batchSize: 3, seed: 7 }), 0),
      [[6, 2, 3], [5, 7, 4], [1], [0]],
      'NoDuplicatesSampler',
    );
    assertEqual(
      collectBatches(
        new MPerClassSampler({ labels: [0, 0, 0, 1, 1, 2, 2, 2, 2, 3], m: 2, batchSize: 4, seed: 3 }),
        0,
      ),
      [
        [8, 5, 1, 0],
        [2, 1, 3, 4],
        [9, 9, 7, 6],
      ],
      'MPerClassSampler',
    );
    assertEqual(
      collectBatches(
        new BucketSampler({
          lengths: [5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 11, 12],
          batchSize: 3,
          bucketSize: 2,
          seed: 1,
        }),
        0,
      ),
      [
        [0, 10, 11],
        [1, 5, 3],
        [7, 8, 4],
        [6, 2, 9],
      ],
      'BucketSampler',
    );
  });

  test('seeded generators and splits are identical on every runtime', () => {
    const items = [
      { text: 'a', label: 'x' },
      { text: 'b', label: 'x' },
      { text: 'c', label: 'y' },
      { text: 'd', label: 'y' },
      { text: 'e', label: 'z' },
    ];
    assertEqual(
      pairsFromLabels(items, { seed: 5 }).map((p) => [...p.indices, p.label]),
      [
        [0, 1, 1],
        [4, 0, 0],
        [1, 4, 0],
        [3, 2, 1],
        [2, 4, 0],
      ],
      'pairsFromLabels',
    );
    assertEqual(
      tripletsFromLabels(items, { seed: 5 }).map((t) => t.indices),
      [
        [0, 1, 4],
        [1, 0, 2],
        [3, 2, 1],
        [2, 3, 4],
      ],
      'tripletsFromLabels',
    );
    const ps = ['Ab', 'bc', 'xy', 'Yz', 'mn', 'oq'].map((s) => ({ text1: s[0]!, text2: s[1]! }));
    const { splits } = splitPairs(ps, { fractions: { train: 0.5, test: 0.5 }, seed: 3 });
    assertEqual(
      [splits.train.map((p) => p.text1 + p.text2), splits.test.map((p) => p.text1 + p.text2)],
      [
        ['xy', 'Yz', 'oq'],
        ['Ab', 'bc', 'mn'],
      ],
      'splitPairs',
    );
  });
});
