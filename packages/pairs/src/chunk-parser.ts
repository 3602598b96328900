import type { ReadReport } from './pair-record.js';
import { type TextInput, textChunks } from './text-input.js';

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
  for await (const chunk of textChunks(input)) {
    parser.push(chunk, out);
    yield* out;
    out.length = 0;
  }
  const report = parser.end(out);
  yield* out;
  return report;
}
