/**
 * tokenizer.json `normalizer` section → a string function, following the Rust sources of huggingface/tokenizers
 * (`tokenizers/src/normalizers/*.rs`, commit 3ba8ad0). Each normalizer sees one piece of text (the parts between
 * added tokens are normalized separately, as the reference does).
 */
import {
  filterChars,
  isChineseChar,
  isMark,
  isNonSpacingMark,
  isOther,
  isWhitespace,
  lowercaseChars,
} from './chars.js';
import { bool, list, pattern, type Section, section, str, unsupported } from './config.js';

/**
 * Set by a normalizer that deletes the first character of its input: the output then no longer starts at the
 * original offset 0, which `Metaspace`'s `prepend_scheme: "first"` looks at (the reference tracks alignments).
 */
export interface Lead {
  deleted: boolean;
}

/** A normalizer: text in, normalized text out. */
export type NormalizeFn = (text: string, lead?: Lead) => string;

/** The normalizer types this build implements. */
export const NORMALIZERS = [
  'BertNormalizer',
  'Lowercase',
  'NFC',
  'NFD',
  'NFKC',
  'NFKD',
  'StripAccents',
  'Strip',
  'Replace',
  'Prepend',
  'Sequence',
] as const;

/** `BertNormalizer` (normalizers/bert.rs): clean, space out CJK, strip accents (NFD, drop Mn), lowercase. */
function bertNormalizer(o: Section, where: string): NormalizeFn {
  const clean = bool(o, 'clean_text', where, true);
  const chinese = bool(o, 'handle_chinese_chars', where, true);
  const lowercase = bool(o, 'lowercase', where, true);
  const strip =
    o.strip_accents === null || o.strip_accents === undefined ? lowercase : bool(o, 'strip_accents', where);
  return (text, lead) => {
    let s = text;
    if (clean || chinese) {
      let out = '';
      for (const ch of s) {
        const cp = ch.codePointAt(0)!;
        if (clean) {
          if (cp === 0 || cp === 0xfffd || (cp !== 9 && cp !== 10 && cp !== 13 && isOther(cp))) {
            if (out === '' && lead) lead.deleted = true;
            continue;
          }
          if (cp === 9 || cp === 10 || cp === 13 || isWhitespace(cp)) {
            out += ' ';
            continue;
          }
        }
        out += chinese && isChineseChar(cp) ? ` ${ch} ` : ch;
      }
      s = out;
    }
    if (strip) s = dropMarks(s.normalize('NFD'), isNonSpacingMark, lead);
    return lowercase ? lowercaseChars(s) : s;
  };
}

/** Removes the characters `isMark` selects, noting a deleted first character in `lead`. */
function dropMarks(s: string, mark: (cp: number) => boolean, lead?: Lead): string {
  if (lead && s.length > 0 && mark(s.codePointAt(0)!)) lead.deleted = true;
  return filterChars(s, (cp) => !mark(cp));
}

function lstripEnd(s: string): number {
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    if (!isWhitespace(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

function rstripStart(s: string): number {
  let i = s.length;
  while (i > 0) {
    const cp = s.codePointAt(i - 1)!;
    const lowSurrogate = cp >= 0xdc00 && cp <= 0xdfff && i > 1;
    const full = lowSurrogate ? s.codePointAt(i - 2)! : cp;
    if (!isWhitespace(full)) break;
    i -= full > 0xffff ? 2 : 1;
  }
  return i;
}

/** Builds the normalizer of a tokenizer.json `normalizer` section (`null` → identity). */
export function buildNormalizer(config: unknown, where = 'normalizer'): NormalizeFn {
  if (config === null || config === undefined) return (s) => s;
  const o = section(config, where);
  const type = o.type;
  switch (type) {
    case 'BertNormalizer':
      return bertNormalizer(o, where);
    case 'Lowercase':
      return lowercaseChars;
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return (s) => s.normalize(type);
    case 'StripAccents':
      return (s, lead) => dropMarks(s, isMark, lead);
    case 'Strip': {
      const left = bool(o, 'strip_left', where);
      const right = bool(o, 'strip_right', where);
      return (s, lead) => {
        const start = left ? lstripEnd(s) : 0;
        if (start > 0 && lead) lead.deleted = true;
        return s.slice(start, right ? Math.max(start, rstripStart(s)) : s.length);
      };
    }
    case 'Replace': {
      const re = pattern(o, 'pattern', where);
      const content = str(o, 'content', where);
      return (s, lead) =>
        s.replace(re, (m: string, ...args: unknown[]) => {
          const at = args.find((a) => typeof a === 'number'); // the offset follows the capture groups
          if (at === 0 && m.length > 0 && content === '' && lead) lead.deleted = true;
          return content;
        });
    }
    case 'Prepend': {
      const prefix = str(o, 'prepend', where);
      return (s) => (s.length > 0 ? prefix + s : s);
    }
    case 'Sequence': {
      const steps = list(o, 'normalizers', where).map((n, i) =>
        buildNormalizer(n, `${where}.normalizers[${i}]`),
      );
      return (s, lead) => steps.reduce((acc, f) => f(acc, lead), s);
    }
    default:
      throw unsupported('normalizer', type, NORMALIZERS);
  }
}
