// The SIMD kernels module (csrc/kernels.c). It imports tfjs-backend-wasm's memory, so its functions take byte
// addresses of tensors in the tfjs heap (WasmHeap.ptr) and work in place. Registered per Emscripten module.

/** Exports of `siamese-kernels.wasm` (pointers are byte addresses in the tfjs heap). */
export interface SimdKernels {
  tanh_(x: number, y: number, n: number): void;
  adam(
    x: number,
    g: number,
    m: number,
    v: number,
    xo: number,
    mo: number,
    vo: number,
    n: number,
    step: number,
    scale: number,
    beta1: number,
    beta2: number,
    eps: number,
  ): void;
  embedding_bag(
    table: number,
    ids: number,
    w: number,
    out: number,
    B: number,
    T: number,
    D: number,
    V: number,
  ): number;
  embedding_bag_grad(
    dy: number,
    table: number,
    ids: number,
    w: number,
    dtable: number,
    dw: number,
    B: number,
    T: number,
    D: number,
    V: number,
  ): number;
  scatter_add_rows(x: number, ids: number, out: number, N: number, D: number, V: number): void;
  lstm_forward_step(
    z: number,
    xp: number,
    ids: number,
    acts: number,
    cCarry: number,
    hCarry: number,
    hs: number,
    cs: number,
    active: number,
    n: number,
    B: number,
    T: number,
    t: number,
    H: number,
  ): void;
  lstm_backward_step(
    dhs: number,
    dcs: number,
    acts: number,
    cs: number,
    hs: number,
    dxp: number,
    hPrevV: number,
    dgV: number,
    dhCarry: number,
    dcCarry: number,
    active: number,
    n: number,
    B: number,
    T: number,
    t: number,
    tp: number,
    rows: number,
    H: number,
  ): number;
  add_rows(dst: number, rec: number, active: number, n: number, H: number): void;
  active_rows(mask: number, B: number, T: number, t: number, out: number): number;
  gather_rows(src: number, dst: number, rows: number, n: number, width: number): void;
  transpose_last2(src: number, dst: number, n: number, R: number, C: number): void;
  reduce_axes(src: number, dst: number, outer: number, n: number, inner: number, op: number): void;
}

const byModule = new WeakMap<object, SimdKernels>();

/** Instantiates the kernels module on the memory of an Emscripten tfjs module and attaches it to that module. */
export async function attachSimdKernels(
  emscriptenModule: object,
  memory: WebAssembly.Memory,
  binary: WebAssembly.Module | BufferSource,
): Promise<void> {
  const imports = { env: { memory } };
  const instance =
    binary instanceof WebAssembly.Module
      ? await WebAssembly.instantiate(binary, imports)
      : (await WebAssembly.instantiate(binary, imports)).instance;
  byModule.set(emscriptenModule, instance.exports as unknown as SimdKernels);
}

/** The SIMD kernels of a wasm backend, or undefined (cpu backend, or initialised with `simdKernels: false`). */
export function simdKernels(backend: object): SimdKernels | undefined {
  const mod = (backend as { wasm?: object }).wasm;
  return mod ? byModule.get(mod) : undefined;
}
