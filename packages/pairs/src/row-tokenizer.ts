import type { SiameseError } from '@siamese/core';
import { type DatasetErrorCode, datasetError } from './errors.js';
import { LineSplitter } from './line-splitter.js';

/** One physical record of a delimited file: its fields, the 1-based column where each field starts, its line. */
export interface RawRow {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
  /**
   * 1-based column of the first character of each field (of its opening quote when quoted). Left out for
   * unquoted rows, where it follows from the field lengths: use {@link columnOf}.
   */
  columns?: number[];
  /** 1-based column just past the end of the record (where a missing field would start). */
  endColumn: number;
}

/** Settings of {@link RowTokenizer}. */
export interface RowTokenizerOptions {
  /** Field separator, one character (`'\t'` for TSV, `','` for CSV). */
  delimiter: string;
  /** RFC 4180 quoting: `"a, b"` is one field, `""` inside quotes is a quote. Off: quotes are plain text. */
  quoting: boolean;
  /** Name of the input used in error messages. */
  source: string;
  /** Called with every malformed record; throw to stop, return to drop the record and go on. */
  onProblem(error: SiameseError<DatasetErrorCode>): void;
}

const NL = 10;
const CR = 13;

/**
 * Incremental splitter of delimited text into records. Feed it decoded chunks in order with `push`, then call
 * `end`; records split across chunks, CRLF line ends and (with quoting) quoted newlines are handled. Blank
 * lines are skipped but still counted.
 */
export class RowTokenizer {
  private readonly delim: number;
  private readonly opts: RowTokenizerOptions;
  private readonly lines = new LineSplitter();
  private line = 1;
  // Quoted mode state.
  private mode: 'start' | 'plain' | 'quoted' | 'closed' | 'discard' = 'start';
  private field = '';
  private fields: string[] = [];
  private columns: number[] = [];
  private col = 0; // characters consumed on the current line
  private rowLine = 1;
  private fieldCol = 1;
  private fieldQuoted = false;

  constructor(options: RowTokenizerOptions) {
    if (options.delimiter.length !== 1 || options.delimiter === '\n' || options.delimiter === '\r') {
      throw new TypeError(
        `delimiter: expected one character other than a line end, found ${JSON.stringify(options.delimiter)}`,
      );
    }
    if (options.quoting && options.delimiter === '"') {
      throw new TypeError('delimiter: cannot be the quote character when quoting is on');
    }
    this.opts = options;
    this.delim = options.delimiter.charCodeAt(0);
  }

  /** Splits `chunk` and appends every completed record to `out`. */
  push(chunk: string, out: RawRow[]): void {
    if (this.opts.quoting) this.pushQuoted(chunk, out);
    else this.pushPlain(chunk, out);
  }

  /** Flushes the last record (a file need not end with a newline). */
  end(out: RawRow[]): void {
    if (!this.opts.quoting) {
      this.lines.end((text, line) => this.plainLine(text, line, out));
      return;
    }
    if (this.mode === 'quoted') {
      this.opts.onProblem(
        datasetError('E_DATASET_QUOTE', 'quoted field is not closed before the end of the input', {
          source: this.opts.source,
          line: this.rowLine,
          column: this.fieldCol,
        }),
      );
      this.resetRecord();
      return;
    }
    if (this.mode !== 'discard' && (this.mode !== 'start' || this.fields.length > 0)) this.endRecord(out);
    this.resetRecord();
  }

  private pushPlain(chunk: string, out: RawRow[]): void {
    this.lines.push(chunk, (text, line) => this.plainLine(text, line, out));
  }

  private plainLine(text: string, line: number, out: RawRow[]): void {
    if (text.length === 0) return;
    out.push({ line, fields: text.split(this.opts.delimiter), endColumn: text.length + 1 });
  }

  private pushQuoted(chunk: string, out: RawRow[]): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      switch (this.mode) {
        case 'start': {
          this.fieldCol = this.col + 1;
          if (c === 34) {
            this.mode = 'quoted';
            this.fieldQuoted = true;
            this.advance(1);
            i++;
          } else if (c === this.delim) {
            this.pushField();
            this.advance(1);
            i++;
          } else if (c === NL) {
            this.newline(out);
            i++;
          } else {
            this.mode = 'plain';
          }
          break;
        }
        case 'plain': {
          let j = i;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === this.delim || d === NL) break;
            j++;
          }
          this.field += chunk.slice(i, j);
          this.advance(j - i);
          i = j;
          if (i < n) {
            if (chunk.charCodeAt(i) === NL) {
              this.newline(out);
            } else {
              this.pushField();
              this.mode = 'start';
              this.advance(1);
            }
            i++;
          }
          break;
        }
        case 'quoted': {
          let j = chunk.indexOf('"', i);
          if (j === -1) j = n;
          const piece = chunk.slice(i, j);
          this.field += piece;
          // Quoted newlines move the line counter; the record keeps the line it started on.
          let lastNl = -1;
          for (let k = piece.indexOf('\n'); k !== -1; k = piece.indexOf('\n', k + 1)) {
            this.line++;
            lastNl = k;
          }
          if (lastNl === -1) this.advance(piece.length);
          else this.col = piece.length - lastNl - 1;
          i = j;
          if (i < n) {
            this.mode = 'closed';
            this.advance(1);
            i++;
          }
          break;
        }
        case 'closed': {
          if (c === 34) {
            this.field += '"';
            this.mode = 'quoted';
          } else if (c === this.delim) {
            this.pushField();
            this.mode = 'start';
          } else if (c === NL) {
            this.newline(out);
            i++;
            break;
          } else if (c !== CR) {
            this.opts.onProblem(
              datasetError(
                'E_DATASET_QUOTE',
                `expected a delimiter or a line end after the closing quote, found ${JSON.stringify(chunk[i])}`,
                { source: this.opts.source, line: this.line, column: this.col + 1 },
              ),
            );
            this.mode = 'discard';
          }
          this.advance(1);
          i++;
          break;
        }
        case 'discard': {
          const j = chunk.indexOf('\n', i);
          if (j === -1) {
            i = n;
          } else {
            this.line++;
            this.col = 0;
            this.resetRecord();
            i = j + 1;
          }
          break;
        }
      }
    }
  }

  private advance(k: number): void {
    this.col += k;
  }

  private pushField(): void {
    this.fields.push(this.field);
    this.columns.push(this.fieldCol);
    this.field = '';
    this.fieldQuoted = false;
  }

  private newline(out: RawRow[]): void {
    this.endRecord(out);
    this.line++;
    this.col = 0;
    this.resetRecord();
  }

  private endRecord(out: RawRow[]): void {
    if (this.mode === 'start' && this.fields.length === 0) return; // blank line
    if (this.mode === 'start') this.fieldCol = this.col + 1;
    let last = this.field;
    if (!this.fieldQuoted && last.charCodeAt(last.length - 1) === CR) last = last.slice(0, -1);
    this.field = last;
    if (this.mode === 'plain' && this.fields.length === 0 && last.length === 0) return; // a lone "\r"
    this.pushField();
    out.push({ line: this.rowLine, fields: this.fields, columns: this.columns, endColumn: this.col + 1 });
  }

  private resetRecord(): void {
    this.mode = 'start';
    this.field = '';
    this.fields = [];
    this.columns = [];
    this.fieldQuoted = false;
    this.rowLine = this.line;
  }
}

/** 1-based column where field `index` of `row` starts (the end of the row for a missing field). */
export function columnOf(row: RawRow, index: number): number {
  if (row.columns) return row.columns[index] ?? row.endColumn;
  let col = 1;
  for (let k = 0; k < index; k++) {
    const f = row.fields[k];
    if (f === undefined) return row.endColumn;
    col += f.length + 1;
  }
  return index < row.fields.length ? col : row.endColumn;
}
