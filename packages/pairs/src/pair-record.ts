/** One sentence pair as read from a data set. `line` is the 1-based line (or record number) it came from. */
export interface PairRecord {
  text1: string;
  text2: string;
  /** Graded similarity (e.g. STS-B 0–5), when the data set has one. */
  score?: number;
  /** Class label (e.g. MRPC 0/1), when the data set has one. */
  label?: number;
  line: number;
}

/** A pair record whose score is always there: what the readers give with the `normalizeScores` option. */
export interface ScoredPairRecord extends PairRecord {
  score: number;
}

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
  problems: import('./errors.js').DatasetProblem[];
}
