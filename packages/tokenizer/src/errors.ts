import { SiameseError } from '@siamese/core';

/**
 * The codes `@siamese/tokenizer` throws (always as a `SiameseError` from `@siamese/core`):
 * - `E_VECTORS_PARSE`: a vector-file line cannot be read; `details.line` is 1-based.
 * - `E_SEQUENCE_TOO_LONG`: a text is longer than `maxLength` tokens while `truncation` is off.
 * - `E_VOCAB_FORMAT`: a vocabulary or tokenizer description is inconsistent (duplicate token, missing special
 *   token, malformed JSON, a malformed tokenizer.json).
 * - `E_TOKENIZER_UNSUPPORTED`: a tokenizer.json component this build cannot reproduce (`details.component`,
 *   `details.type`, `details.supported`).
 *
 * A newer serialisation version is core's `E_FORMAT_VERSION`.
 */
export type TokenizerErrorCode =
  | 'E_VECTORS_PARSE'
  | 'E_SEQUENCE_TOO_LONG'
  | 'E_VOCAB_FORMAT'
  | 'E_TOKENIZER_UNSUPPORTED';

/** One problem found while parsing a vector file: 1-based line number and what was wrong. */
export interface VectorProblem {
  /** 1-based line number in the file (the header, if any, is line 1). */
  readonly line: number;
  /** What was expected and what was found. */
  readonly message: string;
}

/** A vector-file line that cannot be read (`details.line` is 1-based). */
export function vectorParseError(line: number, message: string): SiameseError<'E_VECTORS_PARSE'> {
  return new SiameseError('E_VECTORS_PARSE', `vector file, line ${line}: ${message}`, { details: { line } });
}

/** A text longer than `maxLength` tokens while truncation is off. */
export function sequenceTooLongError(
  index: number,
  length: number,
  maxLength: number,
): SiameseError<'E_SEQUENCE_TOO_LONG'> {
  return new SiameseError(
    'E_SEQUENCE_TOO_LONG',
    `texts[${index}]: expected at most ${maxLength} tokens (truncation is off), found ${length}`,
    { details: { index, length, maxLength } },
  );
}
