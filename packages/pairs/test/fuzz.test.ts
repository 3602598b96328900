import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDatasetError, pairsFromObjects, parsePairs, parseRows, readPairs } from '../src/index.js';

/**
 * Bad data may only ever raise a data set error (a SiameseError with an E_DATASET_ code and a location); anything else, a
 * TypeError from `undefined.x` included, is a crash in a reader and fails the property with its own stack.
 */
function onlyDatasetErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!isDatasetError(e)) throw e;
    expect(e.code).toMatch(/^E_DATASET_/);
  }
}

// Text built from the characters that matter to the readers, so the fuzzer hits the edge cases often.
const nasty = fc
  .array(
    fc.constantFrom(
      'a',
      'b',
      '1',
      '2.5',
      '\t',
      ',',
      ';',
      '"',
      '\n',
      '\r',
      '\r\n',
      ' ',
      '\uFEFF',
      'é',
      '{',
      '}',
      ':',
      'NaN',
      '-',
    ),
    {
      maxLength: 80,
    },
  )
  .map((xs) => xs.join(''));
const anyText = fc.oneof(nasty, fc.string({ maxLength: 200 }), fc.constant('sentence1\tsentence2\tscore\n'));
const options = fc.record(
  {
    format: fc.constantFrom('tsv', 'csv', 'jsonl'),
    quoting: fc.boolean(),
    header: fc.boolean(),
    onError: fc.constantFrom('throw', 'skip'),
    scoreRange: fc.constant([0, 5] as const),
    delimiter: fc.constantFrom('\t', ',', ';'),
  },
  { requiredKeys: [] },
);

describe('readers never throw anything but a data set error on bad data', () => {
  it('parsePairs / parseRows on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, options, (text, opts) => {
        onlyDatasetErrors(() => parsePairs(text, opts as never));
        // The row reader reads tsv and csv only (asking it for jsonl is a usage error, tested below).
        const rowOpts = { ...opts, format: opts.format === 'jsonl' ? 'tsv' : opts.format };
        onlyDatasetErrors(() => parseRows(text, rowOpts as never));
      }),
      { numRuns: 2000 },
    );
  });

  it('a wrong option is a programming error: a TypeError naming the option, whatever the text', () => {
    expect(() => parseRows('a\tb\n', { format: 'jsonl' } as never)).toThrow(
      new TypeError("format: the row reader reads 'tsv' or 'csv', not 'jsonl'"),
    );
    expect(() => parsePairs('a\tb\n', { format: 'xml' } as never)).toThrow(
      /^format: expected 'tsv', 'csv' or 'jsonl'/,
    );
    expect(() => parsePairs('a\tb\n', { onError: 'ignore' } as never)).toThrow(TypeError);
  });

  it('with a header prefix, skip mode never throws and accounts for every row', () => {
    fc.assert(
      fc.property(nasty, fc.boolean(), (body, quoting) => {
        const { pairs, report } = parsePairs(`text1\ttext2\tscore\n${body}`, {
          quoting,
          onError: 'skip',
          scoreRange: [0, 5],
        });
        expect(report.rows).toBe(report.accepted + report.skipped);
        expect(pairs.length).toBe(report.accepted);
        for (const p of pairs) {
          expect(p.text1.trim()).not.toBe('');
          expect(p.score === undefined || (p.score >= 0 && p.score <= 5)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('readPairs on arbitrary byte chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }),
        options,
        async (chunks, opts) => {
          try {
            await readPairs(chunks, opts as never);
          } catch (e) {
            if (!isDatasetError(e)) throw e;
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('pairsFromObjects on arbitrary values', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 5 }), (objs) => {
        onlyDatasetErrors(() => pairsFromObjects(objs));
      }),
      { numRuns: 500 },
    );
  });
});
