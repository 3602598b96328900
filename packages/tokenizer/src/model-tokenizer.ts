import { SiameseError } from '@siamese/core';
import { PretrainedTokenizer, type PretrainedTokenizerJSON } from './pretrained/pretrained-tokenizer.js';
import { WhitespaceTokenizer, type WhitespaceTokenizerJSON } from './pretrained/whitespace-tokenizer.js';
import { Tokenizer, type TokenizerJSON } from './tokenizer.js';

/**
 * Every tokenizer a model can hold and save with itself: the SDK's word {@link Tokenizer} (built from a corpus), a
 * {@link PretrainedTokenizer} (a Hugging Face `tokenizer.json`, a BERT `vocab.txt`, or a PyTorch `word2index`) and
 * the sentence-transformers {@link WhitespaceTokenizer}. All three share `vocabSize`, `encode`, `encodeBatch`
 * (right-padded with id 0) and a versioned `toJSON`.
 */
export type ModelTokenizer = Tokenizer | PretrainedTokenizer | WhitespaceTokenizer;

/** The serialised form of a {@link ModelTokenizer}, told apart by `format`. */
export type ModelTokenizerJSON = TokenizerJSON | PretrainedTokenizerJSON | WhitespaceTokenizerJSON;

/**
 * Rebuilds any {@link ModelTokenizer} from its `toJSON()` output (dispatching on `format`). `E_VOCAB_FORMAT` on
 * an unknown format, `E_FORMAT_VERSION` on a newer version.
 */
export function tokenizerFromJSON(json: ModelTokenizerJSON | string): ModelTokenizer {
  const o = typeof json === 'string' ? parseJson(json) : json;
  const format = (o as { format?: unknown } | null)?.format;
  switch (format) {
    case 'siamese.tokenizer':
      return Tokenizer.fromJSON(o as TokenizerJSON);
    case 'siamese.pretrained-tokenizer':
      return PretrainedTokenizer.fromJSON(o as PretrainedTokenizerJSON);
    case 'siamese.whitespace-tokenizer':
      return WhitespaceTokenizer.fromJSON(o as WhitespaceTokenizerJSON);
    default:
      throw new SiameseError(
        'E_VOCAB_FORMAT',
        `tokenizer JSON: expected format "siamese.tokenizer", "siamese.pretrained-tokenizer" or "siamese.whitespace-tokenizer", found ${JSON.stringify(format)}`,
        { details: { format } },
      );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SiameseError('E_VOCAB_FORMAT', `tokenizer JSON: not valid JSON (${(e as Error).message})`, {
      cause: e,
    });
  }
}
