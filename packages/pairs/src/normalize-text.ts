/**
 * The default text identity used for leakage checks and deduplication: Unicode NFKC, lower-case, runs of
 * white space collapsed to one space, trimmed. `"  Hello\tWorld "` → `"hello world"`.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** A text-identity function: two texts are "the same" when it maps them to the same string. */
export type TextNormalizer = (text: string) => string;
