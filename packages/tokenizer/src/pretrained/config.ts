import { SiameseError } from '@siamese/core';

/** A section of a parsed tokenizer.json (`{"type": "WordPiece", …}`). */
export type Section = Record<string, unknown>;

/** The tokenizer.json part a problem is in: `normalizer`, `pre_tokenizer`, `model`, `post_processor`, … */
export type Component =
  | 'normalizer'
  | 'pre_tokenizer'
  | 'model'
  | 'post_processor'
  | 'added_tokens'
  | 'truncation';

/**
 * A tokenizer.json component this build does not implement. Code `E_TOKENIZER_UNSUPPORTED`; `details` has the
 * `component`, its `type` and the `supported` types.
 */
export function unsupported(
  component: Component,
  type: unknown,
  supported: readonly string[],
): SiameseError<'E_TOKENIZER_UNSUPPORTED'> {
  return new SiameseError(
    'E_TOKENIZER_UNSUPPORTED',
    `tokenizer.json: ${component} type ${JSON.stringify(type)} is not supported (supported: ${supported.join(', ')}); ` +
      'ids would differ from the reference, so the tokenizer is refused',
    { details: { component, type, supported } },
  );
}

/** `E_VOCAB_FORMAT`: the tokenizer.json is malformed at `where`. */
export function malformed(where: string, expected: string, found: unknown): SiameseError<'E_VOCAB_FORMAT'> {
  return new SiameseError(
    'E_VOCAB_FORMAT',
    `tokenizer.json: ${where}: expected ${expected}, found ${describe(found)}`,
    {
      details: { where, expected },
    },
  );
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s === undefined ? typeof v : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** `o` as an object section, or a format error naming `where`. */
export function section(o: unknown, where: string): Section {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw malformed(where, 'an object', o);
  return o as Section;
}

/** A string field (`fallback` when absent or null and a fallback is given). */
export function str(o: Section, key: string, where: string, fallback?: string): string {
  const v = o[key];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== 'string') throw malformed(`${where}.${key}`, 'a string', v);
  return v;
}

/** A boolean field. */
export function bool(o: Section, key: string, where: string, fallback?: boolean): boolean {
  const v = o[key];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== 'boolean') throw malformed(`${where}.${key}`, 'true or false', v);
  return v;
}

/** A non-negative integer field. */
export function uint(o: Section, key: string, where: string, fallback?: number): number {
  const v = o[key];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw malformed(`${where}.${key}`, 'a non-negative integer', v);
  }
  return v;
}

/** An array field. */
export function list(o: Section, key: string, where: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw malformed(`${where}.${key}`, 'an array', v);
  return v;
}

/** A `{"String": "…"}` or `{"Regex": "…"}` pattern, as a global Unicode RegExp. */
export function pattern(o: Section, key: string, where: string): RegExp {
  const p = section(o[key], `${where}.${key}`);
  if (typeof p.String === 'string') return new RegExp(escapeRegExp(p.String), 'gu');
  if (typeof p.Regex === 'string') {
    try {
      return new RegExp(p.Regex, 'gu');
    } catch (e) {
      throw new SiameseError(
        'E_TOKENIZER_UNSUPPORTED',
        `tokenizer.json: ${where}.${key}: the regex ${JSON.stringify(p.Regex)} is not valid in JavaScript (${(e as Error).message})`,
        { details: { component: where, type: 'Regex', pattern: p.Regex }, cause: e },
      );
    }
  }
  throw malformed(`${where}.${key}`, '{"String": …} or {"Regex": …}', p);
}

/** `s` as a literal in a Unicode-mode RegExp (like Rust's `regex::escape`). */
export function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
