/** Anything the vector loader can read text from, chunk by chunk. */
export type TextSource =
  | string
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array | string> {
  return typeof x === 'object' && x !== null && typeof (x as ReadableStream).getReader === 'function';
}

/**
 * Yields decoded text chunks from a source. Bytes are decoded with one streaming `TextDecoder`, so a UTF-8
 * character split across two chunks is decoded correctly; the whole file is never held as one string.
 */
export async function* textChunks(source: TextSource, argName = 'source'): AsyncGenerator<string> {
  if (typeof source === 'string') {
    yield source;
    return;
  }
  const { decode, flush } = chunkDecoder(argName);
  let i = 0;
  if (isReadableStream(source)) {
    const reader = source.getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield decode(value, i++);
      }
      finished = true;
    } finally {
      // The consumer stopped early (maxWords) or failed: cancel, so a network body stops downloading.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  } else if (source && typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    for await (const c of source as AsyncIterable<Uint8Array | string>) yield decode(c, i++);
  } else if (source && typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const c of source as Iterable<Uint8Array | string>) yield decode(c, i++);
  } else {
    throw new TypeError(
      `${argName}: expected a string, a ReadableStream or an (async) iterable of Uint8Array/string chunks, found ${
        source === null ? 'null' : typeof source
      }`,
    );
  }
  const tail = flush();
  if (tail) yield tail;
}

/** Sync variant for strings and sync iterables. */
export function* textChunksSync(
  source: string | Iterable<Uint8Array | string>,
  argName = 'source',
): Generator<string> {
  if (typeof source === 'string') {
    yield source;
    return;
  }
  if (!source || typeof (source as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(
      `${argName}: expected a string or an iterable of Uint8Array/string chunks, found ${typeof source}`,
    );
  }
  const { decode, flush } = chunkDecoder(argName);
  let i = 0;
  for (const c of source) yield decode(c, i++);
  const tail = flush();
  if (tail) yield tail;
}

/** One streaming UTF-8 decoder: bytes split mid-character across chunks decode correctly. */
function chunkDecoder(argName: string): { decode(c: unknown, i: number): string; flush(): string } {
  const decoder = new TextDecoder('utf-8');
  return {
    decode(c, i) {
      if (typeof c === 'string') return c;
      if (c instanceof Uint8Array) return decoder.decode(c, { stream: true });
      throw new TypeError(`${argName}: chunk ${i}: expected a Uint8Array or a string, found ${typeof c}`);
    },
    flush: () => decoder.decode(),
  };
}
