import { SiameseError } from '@siamese/core';

/** One problem found while parsing a vector file: 1-based line number and what was wrong. */
export interface VectorProblem {
  /** 1-based line number in the file (the header, if any, is line 1). */
  readonly line: number;
  /** What was expected and what was found. */
  readonly message: string;
}

/**
 * A vector-file line that cannot be read (wrong number of values, a value that is not a number).
 * Code `E_VECTORS_PARSE`; `line` is 1-based.
 */
export class VectorParseError extends SiameseError {
  /** 1-based line number of the bad line. */
  readonly line: number;
  constructor(line: number, message: string) {
    super('E_VECTORS_PARSE', `vector file, line ${line}: ${message}`, { details: { line } });
    this.line = line;
  }
}

/**
 * A text is longer than `maxLength` tokens while `truncation` is off. Code `E_SEQUENCE_TOO_LONG`.
 */
export class SequenceTooLongError extends SiameseError {
  constructor(index: number, length: number, maxLength: number) {
    super(
      'E_SEQUENCE_TOO_LONG',
      `texts[${index}]: expected at most ${maxLength} tokens (truncation is off), found ${length}`,
      { details: { index, length, maxLength } },
    );
  }
}

/**
 * A vocabulary or tokenizer description is inconsistent (duplicate token, missing special token,
 * malformed JSON). Code `E_VOCAB_FORMAT`.
 */
export class VocabularyFormatError extends SiameseError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_VOCAB_FORMAT', message, details ? { details } : undefined);
  }
}
