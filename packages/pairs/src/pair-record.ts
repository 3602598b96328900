import type { DatasetProblem } from './errors.js';
import type { LabelledPair, ScoredPair, TextPair } from './records.js';
import type { InvalidUtf8 } from './utf8-check.js';

/** One sentence pair as read from a data set; `line` is the 1-based line (or record number) it came from. */
export type PairRecord<P extends TextPair = TextPair> = P & { line: number };

/**
 * The record type a reader returns for its options: scored pairs with `require: 'score'` or `normalizeScores`,
 * labelled pairs with `require: 'label'`, else pairs whose score and label are optional.
 */
export type RecordOf<O> = O extends { require: 'score' } | { normalizeScores: object }
  ? PairRecord<ScoredPair>
  : O extends { require: 'label' }
    ? PairRecord<LabelledPair>
    : PairRecord;

/** What a reader returns when it collects everything: the records and what happened while reading. */
export interface PairsResult<R extends PairRecord = PairRecord> {
  pairs: R[];
  report: ReadReport;
}

/** Counts of one read. With `onError: 'skip'`, `problems` holds the first `maxProblems` problems. */
export interface ReadReport {
  source: string;
  /** Data rows seen (header and blank lines excluded). */
  rows: number;
  /** Rows turned into records. */
  accepted: number;
  /** Rows dropped because of a problem. */
  skipped: number;
  problems: DatasetProblem[];
  /** Present when the bytes were not valid UTF-8 (those bytes became U+FFFD): how often, and the first line. */
  invalidUtf8?: InvalidUtf8;
}
