// Reading and validating request bodies: content type, size limit, JSON, and per-field schema checks.
import { HttpError } from './http.ts';

/** Largest accepted request body: 64 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON object body: 415 unless `content-type` is `application/json`, 413 past {@link MAX_BODY_BYTES}
 * (checked on `content-length` and again while streaming, since chunked bodies have none), 400 if it is not a
 * JSON object.
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(
      415,
      'E_CONTENT_TYPE',
      `expected content-type application/json, found ${type ? `'${type}'` : 'none'}`,
    );
  }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) {
    await drain(request.body);
    throw tooLarge(declared);
  }
  const text = new TextDecoder().decode(await readLimited(request));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'E_JSON', `invalid JSON body: ${(e as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'E_SCHEMA', `expected a JSON object body, found ${kindOf(value)}`);
  }
  return value as Record<string, unknown>;
}

async function readLimited(request: Request): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await drain(reader);
      throw tooLarge(size);
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

/** Most bytes of an oversized body read and dropped before answering 413. */
const DRAIN_LIMIT = 1024 * 1024;

function tooLarge(size: number): HttpError {
  return new HttpError(
    413,
    'E_TOO_LARGE',
    `request body too large: expected at most ${MAX_BODY_BYTES} bytes, found ${size > MAX_BODY_BYTES ? `more than ${MAX_BODY_BYTES}` : size}`,
  );
}

/** `null`, `array`, or the `typeof`, for messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A required string field. */
export function stringField(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string') {
    throw new HttpError(400, 'E_SCHEMA', `"${field}": expected a string, found ${kindOf(v)}`, field);
  }
  return v;
}

/** A required array of 1..`max` strings. */
export function stringArrayField(body: Record<string, unknown>, field: string, max: number): string[] {
  const v = body[field];
  if (!Array.isArray(v)) {
    throw new HttpError(
      400,
      'E_SCHEMA',
      `"${field}": expected an array of strings, found ${kindOf(v)}`,
      field,
    );
  }
  if (v.length === 0 || v.length > max) {
    throw new HttpError(400, 'E_SCHEMA', `"${field}": expected 1 to ${max} texts, found ${v.length}`, field);
  }
  v.forEach((t, i) => {
    if (typeof t !== 'string') {
      throw new HttpError(400, 'E_SCHEMA', `"${field}[${i}]": expected a string, found ${kindOf(t)}`, field);
    }
  });
  return v as string[];
}

/** An optional integer field in `[min, max]`. */
export function intField(
  body: Record<string, unknown>,
  field: string,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  const v = body[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const found = typeof v === 'number' ? String(v) : kindOf(v);
    throw new HttpError(
      400,
      'E_SCHEMA',
      `"${field}": expected an integer from ${min} to ${max}, found ${found}`,
      field,
    );
  }
  return v;
}
