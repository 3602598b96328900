import { readFileSync } from 'node:fs';

/** The repo's fixtures (fixtures/interop, fixtures/golden). */
const root = new URL('../../../fixtures/', import.meta.url);

/** Bytes of `fixtures/<path>`, copied into their own ArrayBuffer (offset 0, as a file read gives them). */
export function fixtureBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(path, root)));
}

/** Parsed JSON of `fixtures/<path>`. */
export function fixtureJson(path: string): any {
  return JSON.parse(readFileSync(new URL(path, root), 'utf8'));
}

/** float32 values from bit patterns (exact, NaN and ±Infinity included). */
export function fromBits(bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

/** The error's `code` (or `undefined`), for `expect(...).toBe('E_…')`. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `not a coded error: ${String(e)}`;
  }
  return undefined;
}
