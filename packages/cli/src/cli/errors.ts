import { SiameseError } from '@siamese/core';

/** Error codes that mean "the user gave us something wrong" (a flag, a file, a model): one line, exit 2. */
const USER_CODES = new Set([
  'E_USAGE',
  'E_INVALID_ARGUMENT',
  'E_FORMAT_VERSION',
  'E_NO_FILESYSTEM',
  'E_UNKNOWN_TYPE',
  'E_VECTORS_PARSE',
  'E_VOCAB_FORMAT',
  'E_TOKENIZER_UNSUPPORTED',
]);
const USER_PREFIXES = ['E_DATASET_', 'E_MODEL_', 'E_LOSS_', 'E_ENCODER_', 'E_IMPORT_', 'E_SAFETENSORS_'];

/** Whether an error is the user's input being wrong (as opposed to a bug); works across copies of the SDK. */
export function isUserError(e: unknown): e is Error {
  if (SiameseError.is(e)) return USER_CODES.has(e.code) || USER_PREFIXES.some((p) => e.code.startsWith(p));
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
  return e.message.split('\n')[0]!;
}
