import type { ColumnMap } from './columns.js';
import { type ScoreScale, scoreMapper } from './scores.js';

/** Input formats the readers understand. */
export type DatasetFormat = 'tsv' | 'csv' | 'jsonl';

/** Options shared by every pair reader. */
export interface ReadPairsOptions {
  /** Name used in error messages and reports (a file name). Default `<input>`. */
  source?: string;
  /** Default: from the `source` extension (`.csv`, `.jsonl`/`.ndjson`, also before `.gz`), else `tsv`. */
  format?: DatasetFormat;
  /** Field separator; default TAB for `tsv`, `,` for `csv`. */
  delimiter?: string;
  /** RFC 4180 quote handling; default off for `tsv` (the shared files have raw `"`), on for `csv`. */
  quoting?: boolean;
  /** Whether the first row names the columns. Default `true`. */
  header?: boolean;
  /** Which column holds which field; default: detected from the header (`sentence1`, `sentence2`, `score`, `label`, …). */
  columns?: ColumnMap;
  /** Declared score range, inclusive (`[0, 5]` for STS-B); a score outside it is an error. */
  scoreRange?: readonly [number, number];
  /**
   * Makes a field required, and types the records accordingly: `'score'` gives `ScoredPair` records (what
   * `evaluate(model, pairs).spearman` and CoSENT need), `'label'` gives `LabelledPair` records. A missing column
   * is `E_DATASET_COLUMNS`, a row without the value `E_DATASET_SCORE`.
   */
  require?: 'score' | 'label';
  /**
   * Every row must have a score, mapped linearly from `from` to `to` (default `[0, 1]`) as it is read:
   * `{ from: [0, 5] }` for STS-B. Implies `require: 'score'` (the records are `ScoredPair`s). Scores outside
   * `from` are an error unless `clamp` is set or `scoreRange` says otherwise.
   */
  normalizeScores?: ScoreScale;
  /** Maps label strings to numbers (e.g. `{ ENTAILMENT: 0, NEUTRAL: 1, CONTRADICTION: 2 }`). */
  labelMap?: Readonly<Record<string, number>>;
  /** `throw` (default): the first bad row throws (an `E_DATASET_*` error). `skip`: bad rows are dropped and reported. */
  onError?: 'throw' | 'skip';
  /** How many problems a report keeps with `onError: 'skip'`. Default 20. */
  maxProblems?: number;
}

/** Options with defaults applied. */
export interface ResolvedReadOptions {
  source: string;
  format: DatasetFormat;
  delimiter: string;
  quoting: boolean;
  header: boolean;
  columns: ColumnMap | undefined;
  scoreRange: readonly [number, number] | undefined;
  /** The `normalizeScores` map, when asked for. */
  scoreMap: ((score: number) => number) | undefined;
  labelMap: Readonly<Record<string, number>> | undefined;
  require: 'score' | 'label' | undefined;
  onError: 'throw' | 'skip';
  maxProblems: number;
}

/** Applies defaults and checks option types (a wrong type is a `TypeError`: it is a programming error). */
export function resolveReadOptions(options: ReadPairsOptions | undefined): ResolvedReadOptions {
  const o = options ?? {};
  if (typeof o !== 'object') throw new TypeError(`options: expected an object, found ${typeof o}`);
  const source = o.source ?? '<input>';
  if (typeof source !== 'string') throw new TypeError(`source: expected a string, found ${typeof source}`);
  const format = o.format ?? detectFormat(source);
  if (format !== 'tsv' && format !== 'csv' && format !== 'jsonl') {
    throw new TypeError(`format: expected 'tsv', 'csv' or 'jsonl', found ${JSON.stringify(format)}`);
  }
  const range = o.scoreRange;
  if (range !== undefined && !(Array.isArray(range) && range.length === 2 && range[0] <= range[1])) {
    throw new TypeError(`scoreRange: expected [lo, hi] with lo <= hi, found ${JSON.stringify(range)}`);
  }
  if (o.require !== undefined && o.require !== 'score' && o.require !== 'label') {
    throw new TypeError(`require: expected 'score' or 'label', found ${JSON.stringify(o.require)}`);
  }
  const scale = o.normalizeScores;
  const scoreMap = scale === undefined ? undefined : scoreMapper(scale, 'normalizeScores');
  if (scale !== undefined && o.require === 'label') {
    throw new TypeError("require: 'label' cannot go with normalizeScores, which requires a score");
  }
  const onError = o.onError ?? 'throw';
  if (onError !== 'throw' && onError !== 'skip') {
    throw new TypeError(`onError: expected 'throw' or 'skip', found ${JSON.stringify(onError)}`);
  }
  return {
    source,
    format,
    delimiter: o.delimiter ?? (format === 'csv' ? ',' : '\t'),
    quoting: o.quoting ?? format === 'csv',
    header: o.header ?? true,
    columns: o.columns,
    scoreRange: range ?? (scale && !scale.clamp ? scale.from : undefined),
    scoreMap,
    labelMap: o.labelMap,
    require: scale ? 'score' : o.require,
    onError,
    maxProblems: o.maxProblems ?? 20,
  };
}

function detectFormat(source: string): 'tsv' | 'csv' | 'jsonl' {
  const s = source.toLowerCase().replace(/\.gz$/, '');
  if (s.endsWith('.csv')) return 'csv';
  if (s.endsWith('.jsonl') || s.endsWith('.ndjson')) return 'jsonl';
  return 'tsv';
}
