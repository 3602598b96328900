/**
 * tokenizer.json `post_processor` for a single sequence (what `encode(text, add_special_tokens=True)` adds):
 * `TemplateProcessing`, `BertProcessing`, `RobertaProcessing`, `ByteLevel` (ids unchanged) and `Sequence`,
 * following huggingface/tokenizers `tokenizers/src/processors/*.rs` (commit 3ba8ad0).
 */
import { type Component, list, malformed, type Section, section, uint, unsupported } from './config.js';

/** A special token the post-processor adds: its id and its token string. */
export interface Special {
  id: number;
  token: string;
}

/** The special tokens around a single sequence: `[CLS] $A [SEP]` is `{before: [CLS], after: [SEP]}`. */
export interface PostProcessor {
  readonly before: readonly Special[];
  readonly after: readonly Special[];
}

/** The post-processor types this build implements. */
export const POST_PROCESSORS = [
  'TemplateProcessing',
  'BertProcessing',
  'RobertaProcessing',
  'ByteLevel',
  'Sequence',
] as const;

const NONE: PostProcessor = { before: [], after: [] };

function pair(o: Section, key: string, where: string): Special {
  const v = o[key];
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string')
    throw malformed(`${where}.${key}`, '[token, id]', v);
  return { id: uint({ id: v[1] }, 'id', `${where}.${key}`), token: v[0] };
}

function template(o: Section, where: string): PostProcessor {
  const specials = section(o.special_tokens ?? {}, `${where}.special_tokens`);
  const before: Special[] = [];
  const after: Special[] = [];
  let seen = false;
  list(o, 'single', where).forEach((item, i) => {
    const it = section(item, `${where}.single[${i}]`);
    if (it.Sequence !== undefined) {
      const seq = section(it.Sequence, `${where}.single[${i}].Sequence`);
      if (seq.id !== 'A' || seen) throw malformed(`${where}.single[${i}].Sequence.id`, 'one "A"', seq.id);
      seen = true;
      return;
    }
    const sp = section(it.SpecialToken, `${where}.single[${i}].SpecialToken`);
    const at = `${where}.special_tokens[${JSON.stringify(sp.id)}]`;
    const entry = section(specials[sp.id as string], at);
    const ids = list(entry, 'ids', at);
    const tokens = list(entry, 'tokens', at);
    ids.forEach((id, k) => {
      (seen ? after : before).push({
        id: uint({ id }, 'id', `${at}.ids[${k}]`),
        token: String(tokens[k] ?? ''),
      });
    });
  });
  return { before, after };
}

/** Builds the single-sequence post-processor of a tokenizer.json `post_processor` section. */
export function buildPostProcessor(
  config: unknown,
  where: Component | string = 'post_processor',
): PostProcessor {
  if (config === null || config === undefined) return NONE;
  const o = section(config, where);
  switch (o.type) {
    case 'TemplateProcessing':
      return template(o, where);
    case 'BertProcessing':
    case 'RobertaProcessing': {
      return { before: [pair(o, 'cls', where)], after: [pair(o, 'sep', where)] };
    }
    case 'ByteLevel':
      return NONE;
    case 'Sequence': {
      const steps = list(o, 'processors', where).map((p, i) =>
        buildPostProcessor(p, `${where}.processors[${i}]`),
      );
      // Each processor wraps the result of the previous one.
      return steps.reduce<PostProcessor>(
        (acc, s) => ({ before: [...s.before, ...acc.before], after: [...acc.after, ...s.after] }),
        NONE,
      );
    }
    default:
      throw unsupported('post_processor', o.type, POST_PROCESSORS);
  }
}
