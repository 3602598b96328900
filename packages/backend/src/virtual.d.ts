declare module 'virtual:tfjs-gradient-configs' {
  import type { GradConfig } from '@tensorflow/tfjs-core';

  const configs: Record<string, GradConfig>;
  export = configs;
}
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
