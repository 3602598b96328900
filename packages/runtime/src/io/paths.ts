// File names a model or checkpoint names: plain names inside its own folder, nothing else. A manifest is an
// input, so `weights.file: "../victim"` must neither be read nor (when saving over it) deleted.
import { describeValue, type FileSystem, SiameseError } from '@siamese/core';
import { joinPath } from './fs.js';
import { readFileCapped } from './limits.js';

/**
 * A plain file name: 1–255 characters, no path separators (`/`, `\`), not `.` or `..`, no NUL, no drive or
 * stream colon. Returns it, or throws `E_MODEL_UNSAFE_PATH` naming the field.
 */
export function checkFileName(name: unknown, field: string): string {
  if (typeof name !== 'string') {
    throw SiameseError.expected('E_MODEL_UNSAFE_PATH', field, 'a file name (a string)', describeValue(name));
  }
  if (
    name.length === 0 ||
    name.length > 255 ||
    name === '.' ||
    name === '..' ||
    /[/\\:\0]/.test(name) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
    /[\u0000-\u001f]/.test(name)
  ) {
    throw SiameseError.expected(
      'E_MODEL_UNSAFE_PATH',
      field,
      'a plain file name inside the model folder (no "/", "\\", ".." or ":")',
      describeValue(name),
    );
  }
  return name;
}

/** Whether `name` is a plain file name that matches `pattern` (a name this SDK writes and so may delete). */
export function isOwnFileName(name: unknown, pattern: RegExp): name is string {
  if (typeof name !== 'string' || !pattern.test(name)) return false;
  try {
    checkFileName(name, 'name');
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of `name` inside `dir`, after checking that it is a plain name and that the file, symbolic links
 * resolved, is still inside `dir` (a link to `/etc/passwd` or `/dev/zero` is refused).
 */
export async function confinedPath(
  fs: FileSystem,
  dir: string,
  name: unknown,
  field: string,
): Promise<string> {
  const path = joinPath(dir, checkFileName(name, field));
  let link: boolean;
  try {
    link = (await fs.lstat(path)).isSymbolicLink();
  } catch (e) {
    throw new SiameseError('E_MODEL_NOT_FOUND', `${field}: no file ${path}: ${(e as Error).message}`, {
      cause: e,
      details: { path },
    });
  }
  if (!link) return path;
  let real: string;
  let root: string;
  try {
    [real, root] = await Promise.all([fs.realpath(path), fs.realpath(dir)]);
  } catch (e) {
    throw new SiameseError(
      'E_MODEL_NOT_FOUND',
      `${field}: ${path} is a broken link: ${(e as Error).message}`,
      {
        cause: e,
        details: { path },
      },
    );
  }
  const inside =
    root.endsWith('/') || root.endsWith('\\') ? root : `${root}${root.includes('\\') ? '\\' : '/'}`;
  if (!real.startsWith(inside)) {
    throw SiameseError.expected(
      'E_MODEL_UNSAFE_PATH',
      `${field} (${path})`,
      'a file inside the model folder',
      'a symbolic link that leaves it',
    );
  }
  return path;
}

/** Reads the file `name` of folder `dir`: confined (see {@link confinedPath}) and capped at `maxBytes`. */
export async function readConfined(
  fs: FileSystem,
  dir: string,
  name: unknown,
  field: string,
  maxBytes: number,
  option: string,
): Promise<Uint8Array> {
  return readFileCapped(fs, await confinedPath(fs, dir, name, field), maxBytes, option);
}
