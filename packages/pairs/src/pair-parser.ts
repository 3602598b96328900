import type { SiameseError } from '@siamese/core';
import { COLUMN_ALIASES, type ColumnIndex, objectKey, type PairField, resolveColumns } from './columns.js';
import { parseDecimal } from './decimal.js';
import { type DatasetErrorCode, datasetError, isDatasetError } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import type { PairRecord, ReadReport } from './pair-record.js';
import { ProblemSink } from './problem-sink.js';
import { type ReadPairsOptions, type ResolvedReadOptions, resolveReadOptions } from './read-options.js';
import { columnOf, type RawRow, RowTokenizer } from './row-tokenizer.js';

/**
 * The push-based engine behind every pair reader: feed decoded text chunks, collect {@link PairRecord}s.
 * Being synchronous, the same code serves strings, streams and files.
 */
export class PairParser {
  private readonly o: ResolvedReadOptions;
  private readonly sink: ProblemSink;
  private readonly tokenizer: RowTokenizer | undefined;
  private readonly lines: LineSplitter | undefined;
  private readonly rows: RawRow[] = [];
  private cols: ColumnIndex | undefined;
  private width = -1;

  constructor(options?: ReadPairsOptions) {
    this.o = resolveReadOptions(options);
    this.sink = new ProblemSink(this.o.source, this.o.onError, this.o.maxProblems);
    if (this.o.format === 'jsonl') {
      this.lines = new LineSplitter();
    } else {
      this.tokenizer = new RowTokenizer({
        delimiter: this.o.delimiter,
        quoting: this.o.quoting,
        source: this.o.source,
        onProblem: this.sink.problem,
      });
    }
  }

  /** Parses `chunk` and appends the completed records to `out`. */
  push(chunk: string, out: PairRecord[]): void {
    if (this.lines) {
      this.lines.push(chunk, (text, line) => this.jsonLine(text, line, out));
    } else {
      this.tokenizer?.push(chunk, this.rows);
      this.drain(out);
    }
  }

  /** Flushes the last record and returns the report. */
  end(out: PairRecord[]): ReadReport {
    if (this.lines) {
      this.lines.end((text, line) => this.jsonLine(text, line, out));
    } else {
      this.tokenizer?.end(this.rows);
      this.drain(out);
    }
    const r = this.sink.report;
    r.rows = r.accepted + r.skipped;
    return r;
  }

  private drain(out: PairRecord[]): void {
    for (const row of this.rows) this.row(row, out);
    this.rows.length = 0;
  }

  private row(row: RawRow, out: PairRecord[]): void {
    if (this.cols === undefined) {
      const where = { source: this.o.source, line: row.line };
      if (this.o.header) {
        this.cols = this.requiredColumns(resolveColumns(row.fields, this.o.columns, where), row, where);
        this.width = row.fields.length;
        return;
      }
      this.cols = this.requiredColumns(resolveColumns(undefined, this.o.columns, where), row, where);
      this.width = row.fields.length;
    }
    const cols = this.cols;
    try {
      if (row.fields.length !== this.width) {
        const column = columnOf(row, this.width);
        throw this.error(
          'E_DATASET_COLUMNS',
          `expected ${this.width} fields, found ${row.fields.length}`,
          row.line,
          column,
        );
      }
      const text1 = this.text(row, cols.text1, 'text1');
      const text2 = this.text(row, cols.text2, 'text2');
      const rec: PairRecord = { text1, text2, line: row.line };
      if (cols.score >= 0) rec.score = this.score(row.fields[cols.score], row.line, row, cols.score);
      if (cols.label >= 0) rec.label = this.label(row.fields[cols.label], row.line, row, cols.label);
      this.checkRequired(rec, row.line, row.endColumn);
      out.push(rec);
      this.sink.report.accepted++;
    } catch (e) {
      if (!isDatasetError(e)) throw e;
      this.sink.problem(e);
    }
  }

  /** With `require`, the header must have that column (named or found by alias). */
  private requiredColumns(
    cols: ColumnIndex,
    row: RawRow,
    where: { source: string; line: number },
  ): ColumnIndex {
    const field = this.o.require;
    if (field !== undefined && cols[field] < 0) {
      throw datasetError(
        'E_DATASET_COLUMNS',
        `no ${field} column (${this.why(field)}): expected one of ${COLUMN_ALIASES[field].join(', ')} or columns.${field}; ${this.o.header ? `header has ${JSON.stringify(row.fields)}` : 'there is no header (use an index)'}`,
        { ...where, column: 1 },
      );
    }
    return cols;
  }

  /** Why a field is required, for messages. */
  private why(field: 'score' | 'label'): string {
    return this.o.scoreMap ? 'normalizeScores needs one' : `require: '${field}'`;
  }

  /** With `require`, every record must carry that field. */
  private checkRequired(rec: PairRecord, line: number, column: number): void {
    const field = this.o.require;
    if (field !== undefined && rec[field] === undefined) {
      throw this.error(
        'E_DATASET_SCORE',
        `${field}: required (${this.why(field)}), found none`,
        line,
        column,
      );
    }
  }

  private text(row: RawRow, index: number, field: PairField): string {
    const value = row.fields[index];
    if (value === undefined) {
      throw this.error('E_DATASET_COLUMNS', `${field}: column ${index + 1} missing`, row.line, row.endColumn);
    }
    if (value.trim().length === 0) {
      throw this.error('E_DATASET_EMPTY_TEXT', `${field} is empty`, row.line, columnOf(row, index));
    }
    return value;
  }

  private jsonLine(text: string, line: number, out: PairRecord[]): void {
    if (text.trim().length === 0) return;
    try {
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        throw this.error('E_DATASET_JSON', `invalid JSON: ${(e as Error).message}`, line, 1);
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        throw this.error('E_DATASET_JSON', `expected a JSON object, found ${describeJson(obj)}`, line, 1);
      }
      out.push(this.object(obj as Record<string, unknown>, line));
      this.sink.report.accepted++;
    } catch (e) {
      if (!isDatasetError(e)) throw e;
      this.sink.problem(e);
    }
  }

  /** Validates one object (a JSONL line or an array element); `line` is its line or 1-based position. */
  object(obj: Record<string, unknown>, line: number): PairRecord {
    const text = (field: 'text1' | 'text2'): string => {
      const key = objectKey(obj, field, this.o.columns);
      const v = key === undefined ? undefined : obj[key];
      if (v === undefined) {
        throw this.error(
          'E_DATASET_COLUMNS',
          `no ${field} field (expected a key like ${field === 'text1' ? 'sentence1' : 'sentence2'})`,
          line,
          1,
        );
      }
      if (typeof v !== 'string')
        throw this.error('E_DATASET_TYPE', `${field}: expected a string, found ${describeJson(v)}`, line, 1);
      if (v.trim().length === 0) throw this.error('E_DATASET_EMPTY_TEXT', `${field} is empty`, line, 1);
      return v;
    };
    const rec: PairRecord = { text1: text('text1'), text2: text('text2'), line };
    const sk = objectKey(obj, 'score', this.o.columns);
    if (sk !== undefined && obj[sk] !== undefined && obj[sk] !== null) rec.score = this.score(obj[sk], line);
    const lk = objectKey(obj, 'label', this.o.columns);
    if (lk !== undefined && obj[lk] !== undefined && obj[lk] !== null) rec.label = this.label(obj[lk], line);
    this.checkRequired(rec, line, 1);
    return rec;
  }

  // `row`/`index` locate the field in a delimited row; the column is only worked out for an error.
  private score(raw: unknown, line: number, row?: RawRow, index = 0): number {
    const v = toNumber(raw);
    if (v === undefined) {
      throw this.error(
        'E_DATASET_SCORE',
        `score: expected a finite decimal number, found ${describeJson(raw)}`,
        line,
        row ? columnOf(row, index) : 1,
      );
    }
    const range = this.o.scoreRange;
    if (range && (v < range[0] || v > range[1])) {
      throw this.error(
        'E_DATASET_SCORE_RANGE',
        `score ${v} is outside the declared range [${range[0]}, ${range[1]}]`,
        line,
        row ? columnOf(row, index) : 1,
      );
    }
    return this.o.scoreMap ? this.o.scoreMap(v) : v;
  }

  private label(raw: unknown, line: number, row?: RawRow, index = 0): number {
    const map = this.o.labelMap;
    if (map && typeof raw === 'string' && Object.hasOwn(map, raw)) return map[raw] as number;
    const v = toNumber(raw);
    if (v === undefined) {
      throw this.error(
        'E_DATASET_SCORE',
        `label: expected a number${map ? ' or a key of labelMap' : ''}, found ${describeJson(raw)}`,
        line,
        row ? columnOf(row, index) : 1,
      );
    }
    return v;
  }

  private error(
    code: DatasetErrorCode,
    message: string,
    line: number,
    column: number,
  ): SiameseError<DatasetErrorCode> {
    return datasetError(code, message, { source: this.o.source, line, column });
  }

  /** The report so far (for {@link pairsFromObjects}, which does not stream). */
  get report(): ReadReport {
    return this.sink.report;
  }

  /** Records a problem under the current policy. */
  get problem(): (e: SiameseError<DatasetErrorCode>) => void {
    return this.sink.problem;
  }
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  return typeof raw === 'string' ? parseDecimal(raw) : undefined;
}

function describeJson(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
