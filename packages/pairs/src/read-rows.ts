import { streamParsed } from './chunk-parser.js';
import { datasetError } from './errors.js';
import type { ReadReport } from './pair-record.js';
import { ProblemSink } from './problem-sink.js';
import { type ReadPairsOptions, resolveReadOptions } from './read-options.js';
import { columnOf, type RawRow, RowTokenizer } from './row-tokenizer.js';
import type { TextInput } from './text-input.js';

/** Options of the generic row reader (a subset of {@link ReadPairsOptions}; only `tsv` and `csv`). */
export type ReadRowsOptions = Pick<
  ReadPairsOptions,
  'source' | 'format' | 'delimiter' | 'quoting' | 'header' | 'onError' | 'maxProblems'
>;

/** One row of a delimited file. `values` maps header names to fields when the file has a header. */
export interface TableRow {
  line: number;
  fields: string[];
  values?: Record<string, string>;
}

/** Rows of any delimited file, all of the same width (a row of another width is an `E_DATASET_COLUMNS` problem). */
export async function* streamRows(
  input: TextInput,
  options?: ReadRowsOptions,
): AsyncGenerator<TableRow, ReadReport, undefined> {
  return yield* streamParsed(new RowParser(options), input);
}

/** Synchronous row reader for text in memory. */
export function parseRows(
  text: string,
  options?: ReadRowsOptions,
): { rows: TableRow[]; header: string[] | undefined; report: ReadReport } {
  if (typeof text !== 'string') throw new TypeError(`text: expected a string, found ${typeof text}`);
  const parser = new RowParser(options);
  const rows: TableRow[] = [];
  parser.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, rows);
  const report = parser.end(rows);
  return { rows, header: parser.header, report };
}

class RowParser {
  header: string[] | undefined;
  private readonly sink: ProblemSink;
  private readonly tokenizer: RowTokenizer;
  private readonly raw: RawRow[] = [];
  private readonly hasHeader: boolean;
  private readonly source: string;
  private width = -1;

  constructor(options: ReadRowsOptions | undefined) {
    const o = resolveReadOptions(options);
    if (o.format === 'jsonl') throw new TypeError("format: the row reader reads 'tsv' or 'csv', not 'jsonl'");
    this.sink = new ProblemSink(o.source, o.onError, o.maxProblems);
    this.tokenizer = new RowTokenizer({
      delimiter: o.delimiter,
      quoting: o.quoting,
      source: o.source,
      onProblem: this.sink.problem,
    });
    this.hasHeader = o.header;
    this.source = o.source;
  }

  push(chunk: string, out: TableRow[]): void {
    this.tokenizer.push(chunk, this.raw);
    this.drain(out);
  }

  end(out: TableRow[]): ReadReport {
    this.tokenizer.end(this.raw);
    this.drain(out);
    const r = this.sink.report;
    r.rows = r.accepted + r.skipped;
    return r;
  }

  private drain(out: TableRow[]): void {
    for (const row of this.raw) {
      if (this.width === -1) {
        this.width = row.fields.length;
        if (this.hasHeader) {
          this.header = row.fields;
          continue;
        }
      }
      if (row.fields.length !== this.width) {
        const column = columnOf(row, this.width);
        this.sink.problem(
          datasetError('E_DATASET_COLUMNS', `expected ${this.width} fields, found ${row.fields.length}`, {
            source: this.source,
            line: row.line,
            column,
          }),
        );
        continue;
      }
      const t: TableRow = { line: row.line, fields: row.fields };
      if (this.header) {
        const values: Record<string, string> = {};
        this.header.forEach((h, i) => {
          values[h] = row.fields[i] as string;
        });
        t.values = values;
      }
      out.push(t);
      this.sink.report.accepted++;
    }
    this.raw.length = 0;
  }
}
