import { SiameseError } from '@siamese/core';
// The two tfjs internals we build on (pinned tfjs 4.22.0; see docs/architecture.md): the backend class and the
// Emscripten factory. tfjs' own loader cannot take a precompiled module, which Workers require.
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm/dist/backend_wasm';
import * as glue from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import { attachSimdKernels } from './simd-kernels.js';
import type { WasmBinary } from './wasm-source.js';

type Factory = (config: Record<string, unknown>) => Promise<any>;
const factory: Factory = (glue as { default?: Factory }).default ?? (glue as unknown as Factory);

/**
 * Instantiates the WASM module through Emscripten's `instantiateWasm` hook and wraps it in a tfjs backend; then
 * instantiates the SIMD kernels module (if given) on the same memory.
 */
export async function createWasmBackend(binary: WasmBinary, kernels?: WasmBinary): Promise<BackendWasm> {
  let aborted: unknown;
  let memory: WebAssembly.Memory | undefined;
  const wasm = await new Promise<any>((resolve, reject) => {
    const fail = (e: unknown) =>
      reject(
        new SiameseError('E_BACKEND_INIT', `wasm backend: the module failed to instantiate: ${describe(e)}`, {
          cause: e,
        }),
      );
    const ready = factory({
      locateFile: (path: string) => path,
      print: () => {},
      printErr: () => {},
      onAbort: (what: unknown) => {
        aborted = what;
        fail(what);
      },
      instantiateWasm(
        imports: WebAssembly.Imports,
        receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
      ) {
        const take = (inst: WebAssembly.Instance, mod: WebAssembly.Module) => {
          memory = inst.exports.memory as WebAssembly.Memory;
          receive(inst, mod);
        };
        const done =
          binary instanceof WebAssembly.Module
            ? WebAssembly.instantiate(binary, imports).then((inst) => take(inst, binary))
            : WebAssembly.instantiate(binary as BufferSource, imports).then((r) =>
                take(r.instance, r.module),
              );
        done.catch(fail);
        return {};
      },
    });
    ready.then((m) => {
      // Emscripten modules are thenables; resolve with a plain wrapper to avoid re-entering then().
      if (aborted === undefined) resolve({ m });
    }, fail);
  }).then((w) => w.m);
  wasm.tfjs = {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  };
  if (kernels !== undefined) {
    if (!(memory instanceof WebAssembly.Memory)) {
      throw new SiameseError(
        'E_BACKEND_INIT',
        'wasm backend: expected the module to export its memory, found none',
      );
    }
    try {
      await attachSimdKernels(wasm, memory, kernels as WebAssembly.Module | BufferSource);
    } catch (e) {
      throw new SiameseError(
        'E_BACKEND_INIT',
        `wasm backend: the SIMD kernels module failed to instantiate: ${describe(e)}`,
        { cause: e },
      );
    }
  }
  return new BackendWasm(wasm);
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
