// Reading request bodies: content type, size limit (declared and streamed), JSON.
import { httpError } from './http.js';

/** Most bytes of an oversized body read and dropped before answering 413. */
const DRAIN_LIMIT = 1024 * 1024;

/**
 * Reads a JSON body: 415 unless `content-type` is `application/json`, 413 past `maxBytes` (checked on
 * `content-length` and again while streaming, since chunked bodies have none), 400 `E_JSON` if it does not parse.
 */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw httpError(
      415,
      'E_CONTENT_TYPE',
      `expected content-type application/json, found ${type ? `'${type}'` : 'none'}`,
    );
  }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await drain(request.body);
    throw tooLarge(declared, maxBytes);
  }
  const text = new TextDecoder().decode(await readLimited(request, maxBytes));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw httpError(400, 'E_JSON', `invalid JSON body: ${(e as Error).message}`);
  }
}

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await drain(reader);
      throw tooLarge(size, maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * Reads and drops what is left of an oversized body (up to {@link DRAIN_LIMIT}) before answering 413: clients
 * still sending it would otherwise see a reset connection instead of the error. Past the cap it cancels.
 */
async function drain(
  body: ReadableStream<Uint8Array> | ReadableStreamDefaultReader<Uint8Array> | null,
): Promise<void> {
  if (!body) return;
  const reader = 'getReader' in body ? body.getReader() : body;
  let left = DRAIN_LIMIT;
  try {
    while (left > 0) {
      const { done, value } = await reader.read();
      if (done) return;
      left -= value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away: nothing to answer
  }
}

function tooLarge(size: number, maxBytes: number) {
  return httpError(
    413,
    'E_TOO_LARGE',
    `request body too large: expected at most ${maxBytes} bytes, found ${size > maxBytes ? `more than ${maxBytes}` : size}`,
  );
}
