// Where each good row of a pair file starts, so training can read any batch of rows back from the file: 16 bytes
// a row (its offset and its score) instead of the row's texts (a 2M-row file: 32 MB of typed arrays, not 4M
// strings). A `.gz` file is
// unpacked to a temporary file as it is indexed, since a gzip stream cannot be read at an offset.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiameseError } from '@siamese/core';
import {
  normalizeScores,
  type PairRecord,
  parsePairs,
  type ReadPairsOptions,
  type TextPair,
} from '@siamese/pairs';
import type { ExampleSource } from '@siamese/runtime';

/** A growable typed array of float64 (offsets past 4 GiB, scores with NaN for none). */
class Float64List {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  at(i: number): number {
    return this.data[i]!;
  }
}

/** Where the good rows of one pair file start, found in the scan's single pass. */
export class RowIndex {
  /** Starts of the lines not yet claimed by a row: `pending[i]` is where line `firstPending + i` starts. */
  private pending: number[] = [0];
  private firstPending = 1;
  /** For each good row: the byte offset of its first line, and its score (NaN when it has none). */
  private readonly rowStarts = new Float64List();
  private readonly rowScores = new Float64List();
  private bytes = 0;
  /** Where the file's first line (its header) ends. */
  private headerEnd = -1;
  /** Where the first row not indexed starts (reading stopped at a limit), or -1. */
  private stopOffset = -1;
  private header = '';
  private fd = -1;
  private tempDir: string | null = null;
  private readFrom: string;

  private constructor(private readonly path: string) {
    this.readFrom = path;
  }

  /** An index of `path` (a `.gz` file gets a temporary unpacked copy, removed by {@link close}). */
  static async create(path: string): Promise<RowIndex> {
    const index = new RowIndex(path);
    if (/\.gz$/i.test(path)) {
      index.tempDir = mkdtempSync(join(tmpdir(), 'siamese-train-'));
      index.readFrom = join(index.tempDir, 'data');
      index.fd = openSync(index.readFrom, 'w+');
      process.once('exit', () => index.close());
    }
    return index;
  }

  /** Passes `chunks` on, recording where lines start (and writing the unpacked copy of a `.gz`). */
  async *tap(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
        if (this.headerEnd === -1) this.headerEnd = this.bytes + i + 1;
        this.pending.push(this.bytes + i + 1);
      }
      if (this.tempDir) writeSync(this.fd, chunk);
      this.bytes += chunk.byteLength;
      yield chunk;
    }
  }

  /** Records a good row: its (first) line and its score. Rows come in file order. */
  add(line: number, score: number | undefined): void {
    this.rowStarts.push(this.claim(line));
    this.rowScores.push(score ?? Number.NaN);
  }

  /** Where `line` starts. Lines before it are dropped now and then (the rows after it start later). */
  private claim(line: number): number {
    const at = line - this.firstPending;
    const start = this.pending[at]!;
    if (at > 4096) {
      this.pending = this.pending.slice(at);
      this.firstPending = line;
    }
    return start;
  }

  /** Marks where indexing stopped (the first good row past a limit): the last row ends there. */
  stopAt(line: number): void {
    if (this.stopOffset === -1) this.stopOffset = this.claim(line);
  }

  /** Good rows indexed. */
  get rows(): number {
    return this.rowStarts.length;
  }

  /**
   * The rows as an `ExampleSource` for `fit`: those whose score lies in `range` (all when null), scores scaled
   * from `range` to [0, 1] as `normalizeScores` does. Reads need the file as it was indexed.
   */
  source(options: ReadPairsOptions, range: [number, number] | null): ExampleSource {
    if (this.fd === -1) this.fd = openSync(this.readFrom, 'r');
    this.pending = [];
    this.header = this.text(0, this.headerEnd === -1 ? this.bytes : this.headerEnd);
    const kept: number[] = [];
    let all = true;
    for (let r = 0; r < this.rows; r++) {
      const s = this.rowScores.at(r);
      if (range && !Number.isNaN(s) && (s < range[0] || s > range[1])) all = false;
      else kept.push(r);
    }
    // identity when nothing is dropped: no second array of row numbers
    const order = all ? null : Uint32Array.from(kept);
    kept.length = 0;
    const size = order ? order.length : this.rows;
    const { mtimeMs } = statSync(this.path);
    return {
      size,
      // the file (its length and time), and what is read of it: another file, or other flags, is another run
      fingerprint: JSON.stringify([this.path, this.bytes, mtimeMs, size, range, options.columns ?? null]),
      read: (indices) => {
        const pairs = indices.map((k) => this.row(order ? order[k]! : k, options));
        return range ? normalizeScores(pairs, { from: range }) : pairs;
      },
    };
  }

  /** Row `r` read back: its bytes run from its line to the next good row's line (or the end). */
  private row(r: number, options: ReadPairsOptions): TextPair {
    const start = this.rowStarts.at(r);
    const end =
      r + 1 < this.rows ? this.rowStarts.at(r + 1) : this.stopOffset === -1 ? this.bytes : this.stopOffset;
    // after the file's first line (a header; for JSONL, a record of its own): the row is line 2 of this text
    const { pairs } = parsePairs(`${this.header}${this.text(start, end)}`, {
      ...options,
      source: this.path,
      onError: 'skip',
    });
    const p: PairRecord | undefined = pairs.find((x) => x.line === 2);
    if (!p) {
      throw new SiameseError(
        'E_DATASET_FILE',
        `${this.path}: the row at byte ${start} can no longer be read: the file changed while training; run again`,
        { details: { path: this.path, offset: start } },
      );
    }
    return p.score === undefined
      ? { text1: p.text1, text2: p.text2, ...(p.label === undefined ? {} : { label: p.label }) }
      : {
          text1: p.text1,
          text2: p.text2,
          score: p.score,
          ...(p.label === undefined ? {} : { label: p.label }),
        };
  }

  private text(start: number, end: number): string {
    const buf = new Uint8Array(end - start);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(this.fd, buf, at, buf.length - at, start + at);
      if (n === 0) break;
      at += n;
    }
    return new TextDecoder().decode(buf.subarray(0, at));
  }

  /** Closes the file and removes a `.gz` file's unpacked copy. */
  close(): void {
    if (this.fd !== -1) closeSync(this.fd);
    this.fd = -1;
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
    this.tempDir = null;
  }
}
