import { datasetError } from './errors.js';

/** The fields of a {@link PairRecord} that come from columns. */
export type PairField = 'text1' | 'text2' | 'score' | 'label';

/** Which column holds each field: a header name, or a 0-based index (required when there is no header). */
export type ColumnMap = Partial<Record<PairField, string | number>>;

/**
 * Header names recognised when no explicit mapping is given (compared case-insensitively). Covers the shared
 * STS-B / SICK / MRPC files (`sentence1`, `sentence2`, `score`, `label`) and common NLI/QQP/SBERT layouts.
 */
export const COLUMN_ALIASES: Readonly<Record<PairField, readonly string[]>> = {
  text1: ['text1', 'sentence1', 'sentence_1', 's1', 'text_a', 'premise', 'question1', 'anchor', 'query'],
  text2: ['text2', 'sentence2', 'sentence_2', 's2', 'text_b', 'hypothesis', 'question2', 'positive'],
  score: ['score', 'similarity', 'relatedness', 'relatedness_score'],
  label: ['label', 'is_duplicate', 'quality'],
};

const FIELDS: readonly PairField[] = ['text1', 'text2', 'score', 'label'];

/** Resolved positions of each field in a delimited row (`-1`: absent). */
export type ColumnIndex = Record<PairField, number>;

/**
 * Maps header names (or, without a header, explicit indices) to field positions. Throws `E_DATASET_COLUMNS`
 * naming the header line when a required text column cannot be found.
 */
export function resolveColumns(
  header: readonly string[] | undefined,
  map: ColumnMap | undefined,
  where: { source: string; line: number },
): ColumnIndex {
  const out: ColumnIndex = { text1: -1, text2: -1, score: -1, label: -1 };
  const lower = header?.map((h) => h.trim().toLowerCase());
  for (const f of FIELDS) {
    const want = map?.[f];
    if (typeof want === 'number') {
      if (!Number.isInteger(want) || want < 0) {
        throw new TypeError(
          `columns.${f}: expected a column name or a non-negative integer index, found ${want}`,
        );
      }
      out[f] = want;
    } else if (typeof want === 'string') {
      const i = lower ? lower.indexOf(want.trim().toLowerCase()) : -1;
      if (i === -1) {
        throw datasetError(
          'E_DATASET_COLUMNS',
          `column ${JSON.stringify(want)} for ${f} not found; ${header ? `header has ${JSON.stringify(header)}` : 'there is no header (use indices)'}`,
          { ...where, column: 1 },
        );
      }
      out[f] = i;
    } else if (want !== undefined) {
      throw new TypeError(`columns.${f}: expected a column name or index, found ${typeof want}`);
    } else if (lower) {
      out[f] = lower.findIndex((h) => COLUMN_ALIASES[f].includes(h));
    } else if (f === 'text1' || f === 'text2') {
      out[f] = f === 'text1' ? 0 : 1;
    }
  }
  for (const f of ['text1', 'text2'] as const) {
    if (out[f] === -1) {
      throw datasetError(
        'E_DATASET_COLUMNS',
        `no ${f} column: expected one of ${COLUMN_ALIASES[f].join(', ')} (or set columns.${f}); header has ${JSON.stringify(header)}`,
        { ...where, column: 1 },
      );
    }
  }
  return out;
}

/** Finds the key of `obj` that holds `field`: the explicit name, else the first alias present. */
export function objectKey(
  obj: Record<string, unknown>,
  field: PairField,
  map: ColumnMap | undefined,
): string | undefined {
  const want = map?.[field];
  if (typeof want === 'string') return want;
  if (want !== undefined)
    throw new TypeError(`columns.${field}: objects need a key name, found ${typeof want}`);
  for (const alias of COLUMN_ALIASES[field]) if (alias in obj) return alias;
  return undefined;
}
