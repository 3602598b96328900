// Types of ./wasm-check.mjs (a build script, kept plain JS so the build runs before any compile step).
export function sections(bytes: Uint8Array): { id: number; start: number; end: number }[];
export interface CodeScan {
  functions: number;
  instructions: number;
  globals: { func: number; op: 'global.get' | 'global.set'; offset: number }[];
}
export function scanCode(bytes: Uint8Array): CodeScan;
export function checkKernelsModule(bytes: Uint8Array): CodeScan;
