import { SiameseError } from '@siamese/core';

/**
 * Stable codes of {@link DatasetError}:
 * - `E_DATASET_COLUMNS`: a row has the wrong number of fields, or a required column is missing from the header.
 * - `E_DATASET_EMPTY_TEXT`: `text1` or `text2` is empty (or only whitespace).
 * - `E_DATASET_SCORE`: the score or label is not a finite number.
 * - `E_DATASET_SCORE_RANGE`: the score is outside the declared `scoreRange`.
 * - `E_DATASET_QUOTE`: a quoted field is not closed, or text follows its closing quote.
 * - `E_DATASET_JSON`: a JSONL line is not valid JSON or not an object.
 * - `E_DATASET_TYPE`: a JSON/object field has the wrong type (e.g. a number where text is expected).
 * - `E_DATASET_FILE`: the file cannot be opened or read (missing, a directory, no permission).
 * - `E_DATASET_GZIP`: a `.gz` file is corrupt or truncated.
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
  | 'E_DATASET_GZIP';

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
 * A row of a data set could not be read. The message names the source, line and column (`train.tsv:12:40`);
 * `details` holds `{ source, line, column }` for tools.
 */
export class DatasetError extends SiameseError {
  declare readonly code: DatasetErrorCode;
  declare readonly details: Readonly<DatasetLocation>;

  constructor(code: DatasetErrorCode, problem: string, where: DatasetLocation) {
    const at = where.line > 0 ? `${where.source}:${where.line}:${where.column}` : where.source;
    super(code, `${at}: ${problem}`, {
      details: { source: where.source, line: where.line, column: where.column },
    });
  }

  /** The error as a plain {@link DatasetProblem} record. */
  toProblem(): DatasetProblem {
    return { code: this.code, message: this.message, ...this.details };
  }
}
