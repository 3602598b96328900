// Read caps. A model file is an input: its manifest says how big its parts are, and the loader reads no more
// than that, nor more than these limits allow, before it allocates anything.
import { describeValue, type FileSystem, SiameseError } from '@siamese/core';

/** The most any one model read may take, whatever the options say: 2 GiB (a JS engine's typed-array range). */
export const MAX_MODEL_BYTES = 2 ** 31;

/** Caps of {@link loadModel}: each is a number of bytes, values, or milliseconds. */
export interface ModelLimits {
  /** Largest manifest (`model.json`, or the JSON inside a single-file model), in bytes. Default 64 MiB. */
  maxManifestBytes: number;
  /** Largest weights blob, in bytes (so at most a quarter as many float32 values). Default 1 GiB. */
  maxWeightsBytes: number;
  /** How long one HTTP request of a URL load may take, headers and body, in milliseconds. Default 60 000. */
  timeoutMs: number;
}

/** The defaults of {@link ModelLimits}. */
export const DEFAULT_MODEL_LIMITS: Readonly<ModelLimits> = Object.freeze({
  maxManifestBytes: 64 * 2 ** 20,
  maxWeightsBytes: 2 ** 30,
  timeoutMs: 60_000,
});

/** The limits with the defaults filled in; each given value must be a positive integer within the ceiling. */
export function resolveLimits(given: Partial<ModelLimits> | undefined): ModelLimits {
  const out = { ...DEFAULT_MODEL_LIMITS };
  if (given === undefined) return out;
  for (const key of Object.keys(DEFAULT_MODEL_LIMITS) as (keyof ModelLimits)[]) {
    const value = given[key];
    if (value === undefined) continue;
    const ceiling = key === 'timeoutMs' ? 2 ** 31 - 1 : MAX_MODEL_BYTES;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > ceiling) {
      throw SiameseError.expected(
        'E_INVALID_ARGUMENT',
        `loadModel: limits.${key}`,
        `an integer in [1, ${ceiling}]`,
        describeValue(value),
      );
    }
    out[key] = value;
  }
  return out;
}

/** The error of a part larger than its limit; names the part, the size, the limit and the option that sets it. */
export function tooLarge(where: string, found: string, max: number, option: string): SiameseError {
  return new SiameseError(
    'E_MODEL_TOO_LARGE',
    `${where}: expected at most ${max} bytes, found ${found} (raise the limit with the ${option} option if the model is trusted)`,
    { details: { where, max, found, option } },
  );
}

/**
 * Reads a regular file of at most `maxBytes`. The size is taken from the opened file itself, so a file that
 * grows, a device (`/dev/zero`) or a pipe is never read without bound.
 */
export async function readFileCapped(
  fs: FileSystem,
  path: string,
  maxBytes: number,
  option: string,
): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<FileSystem['open']>>;
  try {
    // stat before open: opening a named pipe for reading would block until someone writes to it
    const st = await fs.stat(path);
    if (!st.isFile()) throw notAFile(path, st.isDirectory() ? 'a directory' : 'a device, pipe or socket');
    handle = await fs.open(path, 'r');
  } catch (e) {
    if (SiameseError.is(e)) throw e;
    throw new SiameseError('E_MODEL_NOT_FOUND', `model: cannot read ${path}: ${(e as Error).message}`, {
      cause: e,
      details: { path },
    });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw notAFile(path, 'a device, pipe or socket');
    if (st.size > maxBytes) throw tooLarge(path, `${st.size} bytes`, maxBytes, option);
    const bytes = new Uint8Array(st.size);
    let read = 0;
    while (read < bytes.length) {
      const { bytesRead } = await handle.read(bytes, read, bytes.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return read === bytes.length ? bytes : bytes.subarray(0, read);
  } finally {
    await handle.close();
  }
}

function notAFile(path: string, found: string): SiameseError {
  return SiameseError.expected('E_MODEL_UNSAFE_PATH', path, 'a regular file', found);
}

/**
 * How a body says its own length: after its first `headBytes` bytes, `length(head)` returns the length the body
 * declares (a single-file model's header), or null if it does not say. It may throw on a malformed head.
 */
export interface DeclaredLength {
  headBytes: number;
  length(head: Uint8Array): number | null;
}

/**
 * Reads a fetch body of at most `maxBytes`: a larger `Content-Length` is refused before reading, and an endless
 * or lying body is cut off (and its stream cancelled) as soon as it passes the cap. With `declared`, the cap
 * drops to the length the body's own header declares as soon as that header has arrived, so an endless body
 * behind a valid header stops there, not at the limit or the timeout.
 */
export async function readBodyCapped(
  response: Response,
  maxBytes: number,
  where: string,
  option: string,
  declared?: DeclaredLength,
): Promise<Uint8Array> {
  const contentLength = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(contentLength) && contentLength > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(where, `Content-Length ${contentLength}`, maxBytes, option);
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let cap = maxBytes;
  let headerLength: number | null = null;
  let headerRead = !declared;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      chunks.push(value);
      if (!headerRead && declared && total >= declared.headBytes) {
        headerRead = true;
        headerLength = declared.length(concat(chunks, total).subarray(0, declared.headBytes));
        if (headerLength !== null) {
          if (headerLength > maxBytes) {
            throw tooLarge(where, `${headerLength} bytes declared by its header`, maxBytes, option);
          }
          cap = headerLength;
        }
      }
      if (total > cap) {
        throw headerLength === null
          ? tooLarge(where, `more than ${maxBytes} bytes (the body went on)`, maxBytes, option)
          : new SiameseError(
              'E_MODEL_CORRUPT',
              `${where}: the body goes on past the ${headerLength} bytes its header declares (trailing bytes, or a body that never ends); read ${total} bytes and stopped`,
              { details: { where, declared: headerLength, read: total } },
            );
      }
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
  return concat(chunks, total);
}

/** The chunks as one array (the only chunk itself when there is one). */
function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  chunks.length = 0;
  chunks.push(out);
  return out;
}
