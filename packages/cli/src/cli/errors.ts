import { SiameseError } from '@siamese/core';

/** Codes whose message is already the whole story (a flag or an argument): printed without the code. */
const USAGE_CODES = new Set(['E_USAGE']);

/**
 * Whether an error is reported as a one-line error with exit code 2 (as opposed to a bug): every `SiameseError`
 * (the SDK raised it on purpose: a bad input, a diverged run, an aborted one), and the file system's own
 * not-found/permission errors. Works across copies of the SDK.
 */
export function isUserError(e: unknown): e is Error {
  if (SiameseError.is(e)) return true;
  const code = (e as { code?: string })?.code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'ENOTDIR';
}

/** One-line description of a user error, naming file and line when known. */
export function describeUserError(e: Error): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return `file not found: ${(e as { path?: string }).path ?? e.message}`;
  if (code === 'EISDIR')
    return `expected a file, found a directory: ${(e as { path?: string }).path ?? e.message}`;
  if (code === 'EACCES') return `permission denied: ${(e as { path?: string }).path ?? e.message}`;
  const line = e.message.split('\n')[0]!;
  // The code says what kind of problem it is; usage errors read better without it.
  return SiameseError.is(e) && !USAGE_CODES.has(e.code) ? `${line} [${e.code}]` : line;
}
