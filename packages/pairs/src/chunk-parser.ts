import type { ReadReport } from './pair-record.js';
import { type TextInput, textChunks } from './text-input.js';
import { Utf8Check } from './utf8-check.js';

/** An incremental parser: fed decoded chunks, it appends the records each one completes. */
export interface ChunkParser<T> {
  push(chunk: string, out: T[]): void;
  /** Flushes the last record and returns the report. */
  end(out: T[]): ReadReport;
}

/**
 * Drives `parser` over `input` one decoded chunk at a time, yielding each chunk's records as they complete
 * (memory stays at one chunk plus its records). The generator's return value is the parser's {@link ReadReport}.
 */
export async function* streamParsed<T>(
  parser: ChunkParser<T>,
  input: TextInput,
): AsyncGenerator<T, ReadReport, undefined> {
  const out: T[] = [];
  const utf8 = new Utf8Check();
  for await (const chunk of textChunks(input, utf8)) {
    parser.push(chunk, out);
    yield* out;
    out.length = 0;
  }
  const report = withUtf8(parser.end(out), utf8);
  yield* out;
  return report;
}

/** The report, with where the input was not valid UTF-8 (when it was not). */
export function withUtf8(report: ReadReport, utf8: Utf8Check): ReadReport {
  const invalid = utf8.end();
  if (invalid) report.invalidUtf8 = invalid;
  return report;
}
