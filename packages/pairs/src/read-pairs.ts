import { streamParsed, withUtf8 } from './chunk-parser.js';
import { datasetError, isDatasetError } from './errors.js';
import { PairParser } from './pair-parser.js';
import type { PairRecord, PairsResult, ReadReport, RecordOf } from './pair-record.js';
import type { ReadPairsOptions } from './read-options.js';
import { type TextInput, textChunks } from './text-input.js';
import { Utf8Check } from './utf8-check.js';

/**
 * Streams pair records from TSV/CSV/JSONL text, one decoded chunk at a time (memory stays at one chunk plus
 * the records of that chunk). The generator's return value is the {@link ReadReport}.
 *
 * @example
 * ```ts
 * const res = await fetch(url);
 * for await (const pair of streamPairs(res.body!, { source: 'train.tsv', scoreRange: [0, 5] })) { ... }
 * ```
 */
export async function* streamPairs<O extends ReadPairsOptions>(
  input: TextInput,
  options?: O,
): AsyncGenerator<RecordOf<O>, ReadReport, undefined> {
  return yield* streamParsed(new PairParser(options), input) as AsyncGenerator<
    RecordOf<O>,
    ReadReport,
    undefined
  >;
}

/**
 * Reads every pair record of `input` (string, stream or chunk iterable) into memory, with the report. With
 * `require: 'score'` the records are `ScoredPair`s, ready for `fit` and `evaluate`.
 *
 * @example
 * ```ts
 * const { pairs } = await readPairs(await fetch(url).then((r) => r.body!), { source: 'dev.tsv', require: 'score' });
 * ```
 */
export async function readPairs<O extends ReadPairsOptions>(
  input: TextInput,
  options?: O,
): Promise<PairsResult<RecordOf<O>>> {
  const parser = new PairParser(options);
  const pairs: PairRecord[] = [];
  const utf8 = new Utf8Check();
  for await (const chunk of textChunks(input, utf8)) parser.push(chunk, pairs);
  const report = withUtf8(parser.end(pairs), utf8);
  return { pairs: pairs as RecordOf<O>[], report };
}

/** Synchronous {@link readPairs} for text already in memory. A leading BOM is ignored. */
export function parsePairs<O extends ReadPairsOptions>(text: string, options?: O): PairsResult<RecordOf<O>> {
  if (typeof text !== 'string') throw new TypeError(`text: expected a string, found ${typeof text}`);
  const parser = new PairParser(options);
  const pairs: PairRecord[] = [];
  parser.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, pairs);
  const report = parser.end(pairs);
  return { pairs: pairs as RecordOf<O>[], report };
}

/**
 * Validates an array of plain objects (`{ sentence1, sentence2, score }`, `{ text1, text2, label }`, …) into
 * pair records; `line` is the 1-based position in the array. Keys are found as for JSONL.
 */
export function pairsFromObjects<O extends ReadPairsOptions>(
  objects: readonly unknown[],
  options?: O,
): PairsResult<RecordOf<O>> {
  if (!Array.isArray(objects)) throw new TypeError(`objects: expected an array, found ${typeof objects}`);
  const parser = new PairParser({ ...options, format: 'jsonl' });
  const pairs: PairRecord[] = [];
  const report = parser.report;
  const source = options?.source ?? '<input>';
  objects.forEach((obj, i) => {
    try {
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        throw datasetError(
          'E_DATASET_TYPE',
          `expected an object, found ${obj === null ? 'null' : typeof obj}`,
          {
            source,
            line: i + 1,
            column: 1,
          },
        );
      }
      pairs.push(parser.object(obj as Record<string, unknown>, i + 1));
      report.accepted++;
    } catch (e) {
      if (!isDatasetError(e)) throw e;
      parser.problem(e);
    }
  });
  report.rows = report.accepted + report.skipped;
  return { pairs: pairs as RecordOf<O>[], report };
}
