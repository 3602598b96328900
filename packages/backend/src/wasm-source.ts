import { readFile, SiameseError } from '@siamese/core';

/**
 * Where the WASM binary comes from. Any of: a compiled `WebAssembly.Module` (required on Cloudflare Workers,
 * which forbid compiling from bytes), the bytes (`ArrayBuffer` / typed array), a `Response`, a `URL`
 * (`file:`, `http(s):`, `blob:`, `data:`), a URL string or a file path (Node, Deno, Bun), or a promise of one.
 */
export type WasmSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | Response
  | URL
  | string
  | Promise<WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | URL | string>;

/** What the loader hands to `WebAssembly.instantiate`. */
export type WasmBinary = WebAssembly.Module | ArrayBuffer | ArrayBufferView;

function isResponse(x: unknown): x is Response {
  return typeof Response !== 'undefined' && x instanceof Response;
}

const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);

/** Resolves a {@link WasmSource} to a module or bytes. Errors name the source and the cause. */
export async function loadWasmBinary(source: WasmSource): Promise<WasmBinary> {
  const src = await source;
  if (src instanceof WebAssembly.Module) return src;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return src;
  if (isResponse(src)) {
    if (!src.ok)
      throw new SiameseError(
        'E_WASM_LOAD',
        `wasm binary: expected HTTP 200, found ${src.status} for ${src.url}`,
      );
    return src.arrayBuffer();
  }
  const where = typeof src === 'string' ? src : src.href;
  try {
    if (typeof src === 'string' && !hasScheme(src)) return await readFile(src);
    const url = typeof src === 'string' ? new URL(src) : src;
    if (url.protocol === 'file:') return await readFile(url);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return await res.arrayBuffer();
  } catch (e) {
    throw new SiameseError('E_WASM_LOAD', `wasm binary: could not read ${where}: ${(e as Error).message}`, {
      cause: e,
      details: { source: where },
    });
  }
}
