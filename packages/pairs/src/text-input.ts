import { describeValue } from '@siamese/core';
import type { Utf8Check } from './utf8-check.js';

/**
 * Anything a reader accepts as text: a whole string, a web `ReadableStream` of bytes (a `fetch` body, a Node
 * web stream), or a sync/async iterable of byte or string chunks (a Node `fs.ReadStream`, a generator).
 */
export type TextInput =
  | string
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

const BOM = '\uFEFF';

/**
 * Decodes `input` into a stream of string chunks: UTF-8 with `TextDecoder({ stream: true })`, so a multi-byte
 * character split across two byte chunks decodes correctly. A leading byte-order mark is removed once.
 * Throws `TypeError` for anything that is not a {@link TextInput}. Invalid UTF-8 decodes to U+FFFD; `utf8`, when
 * given, sees every byte chunk and says where that happened.
 */
export async function* textChunks(
  input: TextInput,
  utf8?: Utf8Check,
): AsyncGenerator<string, void, undefined> {
  let first = true;
  for await (const chunk of decodedChunks(input, utf8)) {
    if (chunk.length === 0) continue;
    if (first) {
      first = false;
      yield chunk.charCodeAt(0) === 0xfeff ? chunk.slice(BOM.length) : chunk;
    } else {
      yield chunk;
    }
  }
}

async function* decodedChunks(input: TextInput, utf8?: Utf8Check): AsyncGenerator<string, void, undefined> {
  if (typeof input === 'string') {
    yield input;
    return;
  }
  // BOM handling is ours (once, also for string chunks), so the decoder must keep it.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const decode = (chunk: unknown): string => {
    if (typeof chunk === 'string') return chunk;
    if (chunk instanceof Uint8Array) {
      utf8?.push(chunk);
      return decoder.decode(chunk, { stream: true });
    }
    throw new TypeError(`input: expected chunks of Uint8Array or string, found ${describeValue(chunk)}`);
  };
  if (isReadableStream(input)) {
    const reader = input.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield decode(value);
      }
    } finally {
      reader.releaseLock();
    }
  } else if (isIterable(input)) {
    for await (const chunk of input as AsyncIterable<unknown>) yield decode(chunk);
  } else {
    throw new TypeError(
      `input: expected a string, a ReadableStream<Uint8Array> or an (async) iterable of chunks, found ${describeValue(input)}`,
    );
  }
  yield decoder.decode();
}

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof x === 'object' && x !== null && typeof (x as ReadableStream).getReader === 'function';
}

function isIterable(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<symbol, unknown>;
  return typeof o[Symbol.asyncIterator] === 'function' || typeof o[Symbol.iterator] === 'function';
}
