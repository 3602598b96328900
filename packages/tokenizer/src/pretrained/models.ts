/**
 * tokenizer.json `model` section → a word-to-ids function: WordPiece, Unigram and WordLevel, following
 * huggingface/tokenizers (`tokenizers/src/models/{wordpiece,unigram,wordlevel}`, commit 3ba8ad0).
 *
 * Lookups are bounded by the longest vocabulary entry L: WordPiece tries at most L ends per piece and Unigram at
 * most L pieces per position, so a word of n characters costs O(n·L) hash lookups, linear in its length (the
 * reference's WordPiece tries every end of the rest of the word, which is quadratic).
 */
import { SiameseError } from '@siamese/core';
import { list, malformed, type Section, section, str, uint, unsupported } from './config.js';

/** A model: one pre-tokenized piece in, its token ids appended to `out`. */
export interface TokenModel {
  /** Appends the ids of `piece` to `out`, and their token strings to `tokens` when given. */
  tokenize(piece: string, out: number[], tokens?: string[]): void;
  /** Token → id of the model's vocabulary. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Id of the unknown token, or `null` when the model has none. */
  readonly unkId: number | null;
}

/** The model types this build implements. */
export const MODELS = ['WordPiece', 'Unigram', 'WordLevel'] as const;

/** Length in UTF-16 units of the longest key. */
function longest(keys: Iterable<string>): number {
  let l = 0;
  for (const k of keys) if (k.length > l) l = k.length;
  return l;
}

/** End of the code point starting at `i`. */
function next(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? i + 2 : i + 1;
}

/** True when `i` splits a surrogate pair (not a character boundary). */
function inside(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return i > 0 && i < s.length && c >= 0xdc00 && c <= 0xdfff && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800;
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i = next(s, i)) n++;
  return n;
}

function vocabObject(o: Section, where: string): Map<string, number> {
  const v = section(o.vocab, `${where}.vocab`);
  const map = new Map<string, number>();
  for (const [tok, id] of Object.entries(v)) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw malformed(`${where}.vocab[${JSON.stringify(tok)}]`, 'a non-negative integer id', id);
    }
    map.set(tok, id);
  }
  return map;
}

/** WordPiece: greedy longest-match-first, continuation pieces prefixed (`##`), unknown word → `[UNK]`. */
function wordPiece(o: Section, where: string): TokenModel {
  const vocab = vocabObject(o, where);
  const unkToken = str(o, 'unk_token', where, '[UNK]');
  const prefix = str(o, 'continuing_subword_prefix', where, '##');
  const maxChars = uint(o, 'max_input_chars_per_word', where, 100);
  const unkId = vocab.get(unkToken) ?? null;
  const maxLen = longest(vocab.keys());
  const unk = (out: number[], tokens?: string[]) => {
    if (unkId === null) {
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `tokenizer.json: ${where}.unk_token ${JSON.stringify(unkToken)} is not in the vocabulary, and a word needs it`,
        { details: { where: `${where}.unk_token` } },
      );
    }
    out.push(unkId);
    tokens?.push(unkToken);
  };
  return {
    vocab,
    unkId,
    tokenize(word, out, tokens) {
      if (codePointLength(word) > maxChars) return unk(out, tokens);
      const mark = out.length;
      const tokenMark = tokens?.length ?? 0;
      for (let start = 0; start < word.length; ) {
        const pre = start > 0 ? prefix : '';
        let end = Math.min(word.length, start + maxLen - pre.length);
        let id: number | undefined;
        let piece = '';
        for (; end > start; end--) {
          if (inside(word, end)) continue;
          piece = pre + word.slice(start, end);
          id = vocab.get(piece);
          if (id !== undefined) break;
        }
        if (id === undefined) {
          out.length = mark;
          if (tokens) tokens.length = tokenMark;
          return unk(out, tokens);
        }
        out.push(id);
        tokens?.push(piece);
        start = end;
      }
    },
  };
}

/** Unigram (SentencePiece): the best-scoring segmentation (Viterbi), unknown runs fused, optional byte fallback. */
function unigram(o: Section, where: string): TokenModel {
  const pieces = list(o, 'vocab', where);
  const vocab = new Map<string, number>();
  const scores: number[] = [];
  let minScore = Number.POSITIVE_INFINITY;
  pieces.forEach((p, id) => {
    if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'number') {
      throw malformed(`${where}.vocab[${id}]`, '[piece, score]', p);
    }
    vocab.set(p[0], id);
    scores.push(p[1]);
    if (p[1] < minScore) minScore = p[1];
  });
  const unkId = o.unk_id === null || o.unk_id === undefined ? null : uint(o, 'unk_id', where);
  if (unkId !== null && unkId >= pieces.length)
    throw malformed(`${where}.unk_id`, `an id < ${pieces.length}`, unkId);
  const byteFallback = o.byte_fallback === true;
  const unkScore = minScore - 10; // K_UNK_PENALTY in models/unigram/model.rs
  const maxLen = longest(vocab.keys());
  const needUnk = (): number => {
    if (unkId === null) {
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `tokenizer.json: ${where} has no unk_id, and the text has a character no piece covers`,
        { details: { where: `${where}.unk_id` } },
      );
    }
    return unkId;
  };
  const bytes = new TextEncoder();
  return {
    vocab,
    unkId,
    tokenize(s, out, tokens) {
      const n = s.length;
      if (n === 0) return;
      // best[i]: the best path ending at UTF-16 offset i (only character boundaries are used).
      const score = new Float64Array(n + 1);
      const from = new Int32Array(n + 1).fill(-1);
      const tok = new Int32Array(n + 1);
      for (let start = 0; start < n; ) {
        const here = score[start]!;
        const charEnd = next(s, start);
        let single = false;
        const stop = Math.min(n, start + maxLen);
        for (let end = charEnd; end <= stop; end = end < n ? next(s, end) : end + 1) {
          const id = vocab.get(s.slice(start, end));
          if (id !== undefined) {
            const cand = here + scores[id]!;
            if (from[end] === -1 || cand > score[end]!) {
              score[end] = cand;
              from[end] = start;
              tok[end] = id;
            }
            if (end === charEnd) single = true;
          }
        }
        if (!single) {
          const cand = here + unkScore;
          if (from[charEnd] === -1 || cand > score[charEnd]!) {
            score[charEnd] = cand;
            from[charEnd] = start;
            tok[charEnd] = needUnk();
          }
        }
        start = charEnd;
      }
      // Backtrack; consecutive unknown pieces fuse into one string (fuse_unk), then map strings to ids.
      const strings: string[] = [];
      let unkEnd = -1;
      for (let end = n; end > 0; ) {
        const start = from[end]!;
        const isUnk = tok[end] === unkId;
        if (isUnk) {
          if (unkEnd < 0) unkEnd = end;
        } else {
          if (unkEnd >= 0) strings.push(s.slice(end, unkEnd));
          unkEnd = -1;
          strings.push(s.slice(start, end));
        }
        end = start;
      }
      if (unkEnd >= 0) strings.push(s.slice(0, unkEnd));
      for (let i = strings.length - 1; i >= 0; i--) {
        const str = strings[i]!;
        const id = vocab.get(str);
        if (id !== undefined) {
          out.push(id);
          tokens?.push(str);
          continue;
        }
        if (byteFallback) {
          const names = Array.from(
            bytes.encode(str),
            (b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`,
          );
          const ids = names.map((b) => vocab.get(b));
          if (ids.every((x) => x !== undefined)) {
            for (const id of ids as number[]) out.push(id);
            for (const name of names) tokens?.push(name);
            continue;
          }
        }
        out.push(needUnk());
        tokens?.push(str);
      }
    },
  };
}

/** WordLevel: the piece's id, or the unknown token's. */
function wordLevel(o: Section, where: string): TokenModel {
  const vocab = vocabObject(o, where);
  const unkToken = o.unk_token === null || o.unk_token === undefined ? null : str(o, 'unk_token', where);
  const unkId = unkToken === null ? null : (vocab.get(unkToken) ?? null);
  return {
    vocab,
    unkId,
    tokenize(piece, out, tokens) {
      const known = vocab.get(piece);
      const id = known ?? unkId;
      if (id === null) {
        throw new SiameseError(
          'E_VOCAB_FORMAT',
          `tokenizer.json: ${where} has no usable unk_token for the unknown word ${JSON.stringify(piece.slice(0, 40))}`,
          { details: { where: `${where}.unk_token` } },
        );
      }
      out.push(id);
      tokens?.push(known === undefined ? unkToken! : piece);
    },
  };
}

/** Builds the model of a tokenizer.json `model` section (`type` may be absent for old WordPiece files). */
export function buildModel(config: unknown, where = 'model'): TokenModel {
  const o = section(config, where);
  const type = o.type ?? (o.continuing_subword_prefix !== undefined ? 'WordPiece' : undefined);
  switch (type) {
    case 'WordPiece':
      return wordPiece(o, where);
    case 'Unigram':
      return unigram(o, where);
    case 'WordLevel':
      return wordLevel(o, where);
    default:
      throw unsupported('model', type, MODELS);
  }
}
