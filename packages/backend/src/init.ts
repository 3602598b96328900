import { now, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { registerAllGradients } from './gradients.js';
import { registerSiameseKernels } from './kernels/index.js';
import { simdKernels } from './simd-kernels.js';
import { createWasmBackend } from './wasm-factory.js';
import { loadWasmBinary, type WasmSource } from './wasm-source.js';

// Side-effect import: registers tfjs' wasm kernel configs under the name 'wasm'.
import '@tensorflow/tfjs-backend-wasm/dist/register_all_kernels';

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * `'wasm'` (default: WASM with SIMD, single thread), `'cpu'` (needs `@tensorflow/tfjs-backend-cpu`), or the
   * name of any tfjs backend you registered yourself (e.g. `'tensorflow'` after importing `@tensorflow/tfjs-node`,
   * or `'webgpu'`).
   */
  backend?: 'wasm' | 'cpu' | (string & {});
  /**
   * The WASM binary. Defaults to the `.wasm` shipped next to this package (read from disk on Node/Deno/Bun,
   * fetched in browsers, imported as a module on Workers). Pass bytes, a `WebAssembly.Module`, a URL or a path
   * to override, e.g. when your bundler serves the file elsewhere.
   */
  wasm?: WasmSource;
  /**
   * wasm only: replace the stock kernels that are slow for training (transposed matMul, slices, gather, …) with
   * the SDK's faster equivalents. Default true; false restores the stock kernels.
   */
  performanceKernels?: boolean;
  /**
   * wasm only: the SIMD kernels binary (`siamese-kernels.wasm`, built from the package's `csrc/kernels.c`) that
   * runs Adam, the LSTM cell, embedding bags and the gather gradient in place on the tfjs heap. Defaults to the
   * copy inlined in this package (imported as a module on Workers); `false` uses the plain-JS kernels instead.
   */
  simdKernels?: WasmSource | false;
}

/** What {@link initBackend} set up. */
export interface BackendInfo {
  /** The active tfjs backend (`tf.getBackend()`). */
  name: string;
  /** Milliseconds from the call to a ready backend (0 when it was already initialised). */
  initMs: number;
  /** Kernels the SDK registered on top of the backend's own. */
  kernelsAdded: string[];
  /** Number of gradient functions registered by this call. */
  gradientsRegistered: number;
  /** True when the wasm SIMD kernels module (`siamese-kernels.wasm`) is attached to the active backend. */
  simdKernels: boolean;
}

let wasmReady: Promise<void> | undefined;

/** @internal shared by the entry points, which only differ in their default wasm source. */
export async function initBackendWith(
  options: InitBackendOptions,
  defaultWasm: () => WasmSource,
  defaultKernels: () => WasmSource,
): Promise<BackendInfo> {
  const t0 = now();
  const name = options.backend ?? 'wasm';
  const gradientsRegistered = registerAllGradients();
  let kernelsAdded: string[] = [];
  if (name === 'wasm') {
    if (!wasmReady || options.wasm !== undefined || options.simdKernels !== undefined) {
      const choice = options.simdKernels;
      const kernels =
        choice === false ? undefined : choice === true || choice === undefined ? defaultKernels() : choice;
      wasmReady = setUpWasm(options.wasm ?? defaultWasm(), kernels);
      wasmReady.catch(() => {
        wasmReady = undefined;
      });
    }
    await wasmReady;
    kernelsAdded = registerSiameseKernels('wasm', options.performanceKernels ?? true);
  } else if (name === 'cpu') {
    if (!tf.findBackendFactory('cpu')) {
      try {
        const cpuName = '@tensorflow/tfjs-backend-cpu';
        await import(/* @vite-ignore */ cpuName);
      } catch (e) {
        throw new SiameseError(
          'E_BACKEND_INIT',
          `cpu backend: could not load @tensorflow/tfjs-backend-cpu, an optional peer dependency the SDK does not install: run \`npm install @tensorflow/tfjs-backend-cpu@4.22.0\`, or use the default wasm backend (${(e as Error).message})`,
          { cause: e },
        );
      }
    }
    kernelsAdded = registerSiameseKernels('cpu');
  } else if (!tf.findBackendFactory(name)) {
    throw new SiameseError(
      'E_BACKEND_UNKNOWN',
      `backend '${name}': expected a registered tfjs backend, found only [${Object.keys(tf.engine().registryFactory).join(', ')}]`,
    );
  }
  const wasActive = safeGetBackend() === name;
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    throw new SiameseError(
      'E_BACKEND_INIT',
      `backend '${name}' failed to initialise: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (!ok || tf.getBackend() !== name) {
    throw new SiameseError(
      'E_BACKEND_INIT',
      `backend '${name}' failed to initialise (tfjs would have fallen back to '${safeGetBackend()}')`,
    );
  }
  if (name === 'cpu') quietCpuBanner();
  return {
    name,
    initMs: wasActive ? 0 : now() - t0,
    kernelsAdded,
    gradientsRegistered,
    simdKernels: simdKernels(tf.backend()) !== undefined,
  };
}

async function setUpWasm(source: WasmSource, kernels: WasmSource | undefined): Promise<void> {
  const [binary, kernelsBinary] = await Promise.all([
    loadWasmBinary(source),
    kernels === undefined ? undefined : loadWasmBinary(kernels),
  ]);
  const backend = await createWasmBackend(binary, kernelsBinary);
  if (tf.findBackendFactory('wasm')) {
    if (safeGetBackend() === 'wasm') await tf.setBackend(tf.findBackendFactory('cpu') ? 'cpu' : 'wasm');
    tf.removeBackend('wasm');
  }
  tf.registerBackend('wasm', () => backend, 3);
}

/** tfjs-backend-cpu prints a "use tfjs-node" banner on first use in Node; the SDK chose cpu on purpose. */
function quietCpuBanner(): void {
  try {
    const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (cpu) cpu.firstUse = false;
  } catch {
    // the backend is created lazily by setBackend below; nothing to quiet yet
  }
}

function safeGetBackend(): string | undefined {
  try {
    return tf.engine().backendName ?? undefined;
  } catch {
    return undefined;
  }
}
