import { SiameseError } from '@siamese/core';

/**
 * The codes `@siamese/pairs` throws for data (as a `SiameseError` from `@siamese/core`; bad arguments are core's
 * `E_INVALID_ARGUMENT`):
 * - `E_DATASET_COLUMNS`: a row has the wrong number of fields, or a required column is missing from the header.
 * - `E_DATASET_EMPTY_TEXT`: `text1` or `text2` is empty (or only whitespace).
 * - `E_DATASET_SCORE`: the score or label is not a finite number.
 * - `E_DATASET_SCORE_RANGE`: the score is outside the declared `scoreRange`.
 * - `E_DATASET_QUOTE`: a quoted field is not closed, or text follows its closing quote.
 * - `E_DATASET_JSON`: a JSONL line is not valid JSON or not an object.
 * - `E_DATASET_TYPE`: a JSON/object field has the wrong type (e.g. a number where text is expected).
 * - `E_DATASET_FILE`: the file cannot be opened or read (missing, a directory, no permission).
 * - `E_DATASET_GZIP`: a `.gz` file is corrupt or truncated.
 * - `E_DATASET_MOSTLY_INVALID`: more rows were skipped as malformed than read (the wrong file, delimiter or
 *   columns); raised by callers that skip bad rows, such as the CLI.
 */
export type DatasetErrorCode =
  | 'E_DATASET_COLUMNS'
  | 'E_DATASET_EMPTY_TEXT'
  | 'E_DATASET_SCORE'
  | 'E_DATASET_SCORE_RANGE'
  | 'E_DATASET_QUOTE'
  | 'E_DATASET_JSON'
  | 'E_DATASET_TYPE'
  | 'E_DATASET_FILE'
  | 'E_DATASET_GZIP'
  | 'E_DATASET_MOSTLY_INVALID';

/**
 * Where a problem is: the source name, the 1-based line and the 1-based column (character offset in the line).
 * Line 0 means the whole source (it could not be opened or decompressed).
 */
export interface DatasetLocation {
  source: string;
  line: number;
  column: number;
}

/** One problem found while reading, as kept in a {@link ReadReport} when `onError: 'skip'`. */
export interface DatasetProblem extends DatasetLocation {
  code: DatasetErrorCode;
  message: string;
}

/**
 * The error of a row (or a whole source) that could not be read. The message starts with the source, line and
 * column (`train.tsv:12:40: ...`); `details` holds `{ source, line, column }` for tools.
 */
export function datasetError(
  code: DatasetErrorCode,
  problem: string,
  where: DatasetLocation,
): SiameseError<DatasetErrorCode> {
  const at = where.line > 0 ? `${where.source}:${where.line}:${where.column}` : where.source;
  return new SiameseError(code, `${at}: ${problem}`, {
    details: { source: where.source, line: where.line, column: where.column },
  });
}

/** Whether `error` is a data set error (a `SiameseError` with an `E_DATASET_*` code) from any copy of the SDK. */
export function isDatasetError(error: unknown): error is SiameseError<DatasetErrorCode> {
  return SiameseError.is(error) && error.code.startsWith('E_DATASET_');
}

/** A data set error as a plain {@link DatasetProblem} record (what `onError: 'skip'` reports keep). */
export function problemOf(error: SiameseError<DatasetErrorCode>): DatasetProblem {
  const { source = '', line = 0, column = 0 } = (error.details ?? {}) as Partial<DatasetLocation>;
  return { code: error.code, message: error.message, source, line, column };
}
