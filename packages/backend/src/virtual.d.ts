declare module 'virtual:tfjs-gradient-configs' {
  import type { GradConfig } from '@tensorflow/tfjs-core';

  const configs: Record<string, GradConfig>;
  export = configs;
}
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js' {
  // Untyped Emscripten glue (bundled, with its Node branch patched out at build time).
  const factory: unknown;
  export default factory;
}
declare module '*.wasm?base64' {
  const base64: string;
  export default base64;
}
