import type { EncoderConfig } from '@siamese/encoders';

/** A token table of an encoder config: the step that holds it, and its weight's name. */
export interface TokenTableRef {
  /** The step's config object (inside the encoder config; mutate a clone, never the model's). */
  step: { type: string; vocabSize?: number; name?: string; [k: string]: unknown };
  /** The weight name, `<name>.weight`. */
  weight: string;
}

// The built-in steps whose weight is a table indexed by token id (rows = vocabulary), and their default names.
const TABLE_STEPS: Record<string, string> = { embedding: 'embedding' };

/**
 * The token-id tables of an encoder config (the `embedding` steps of a `sequential`, at any depth): int8 gives
 * them one scale per row, and pruning the vocabulary drops their rows.
 */
export function tokenTables(config: EncoderConfig): TokenTableRef[] {
  const out: TokenTableRef[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const x of node) visit(x);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const rec = node as TokenTableRef['step'];
    const fallback = typeof rec.type === 'string' ? TABLE_STEPS[rec.type] : undefined;
    if (fallback !== undefined && typeof rec.vocabSize === 'number') {
      const name = typeof rec.name === 'string' ? rec.name : fallback;
      out.push({ step: rec, weight: name ? `${name}.weight` : 'weight' });
    }
    for (const v of Object.values(rec)) visit(v);
  };
  visit(config);
  return out;
}
