// The default SIMD kernels binary, inlined (base64, ~18 KB) so that no second file has to be served or located.
// Workers cannot compile bytes: their entry imports the .wasm file as a module instead (see workerd.ts).
import base64 from '../wasm/siamese-kernels.wasm?base64';

/** The bytes of `siamese-kernels.wasm`. */
export function inlineSimdKernels(): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
