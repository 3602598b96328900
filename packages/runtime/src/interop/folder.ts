// Reading a model folder the same way from a directory, a URL or an object of files, and the errors of doing so.
import { SiameseError } from '@siamese/core';

/** Reads one file of the folder, or `null` when it is absent. */
export type Reader = (path: string) => Promise<Uint8Array | null>;

/** One entry of sentence-transformers' `modules.json`. */
export interface Module {
  name: string;
  path: string;
  type: string;
}

export async function required(read: Reader, path: string): Promise<Uint8Array> {
  const bytes = await read(path);
  if (bytes === null) {
    throw new SiameseError('E_MODEL_NOT_FOUND', `importPretrained: the folder has no ${path}`, {
      details: { path },
    });
  }
  return bytes;
}

export function text(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new SiameseError('E_MODEL_CORRUPT', `importPretrained: ${path} is not UTF-8 text`, { cause: e });
  }
}

export async function json(read: Reader, path: string): Promise<unknown> {
  const bytes = await read(path);
  if (bytes === null) return null;
  try {
    return JSON.parse(text(bytes, path));
  } catch (e) {
    if (SiameseError.is(e)) throw e;
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `importPretrained: ${path} is not valid JSON (${(e as Error).message})`,
      {
        cause: e,
        details: { path },
      },
    );
  }
}

/** `sentence_transformers.models.StaticEmbedding` → `StaticEmbedding` (v5 and v6 module paths alike). */
export function shortType(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1);
}

export function unsupported(
  what: string,
  details: Record<string, unknown>,
): SiameseError<'E_IMPORT_UNSUPPORTED'> {
  return new SiameseError('E_IMPORT_UNSUPPORTED', `importPretrained: ${what}`, { details });
}
