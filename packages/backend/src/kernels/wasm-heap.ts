import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** Element array over the whole wasm heap: 4-byte dtypes as Int32Array (bit-exact copies), bool as bytes. */
export type HeapArray = Int32Array | Uint8Array;

/** The parts of tfjs-backend-wasm's `BackendWasm` (4.22) the performance kernels rely on. */
interface WasmBackendInternals {
  wasm: {
    HEAPU8: Uint8Array;
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { disposeData(id: number): void };
  };
  dataIdMap: {
    get(dataId: DataId): { id: number; memoryOffset: number } | undefined;
    has(dataId: DataId): boolean;
    delete(dataId: DataId): boolean;
  };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  incRef(dataId: DataId): void;
}

/**
 * Typed access to tensors on the wasm heap, in element units.
 * Allocate every output BEFORE calling {@link WasmHeap.elements}: `_malloc` may grow (and detach) the heap.
 */
export class WasmHeap {
  private readonly b: WasmBackendInternals;

  constructor(backend: object) {
    this.b = backend as unknown as WasmBackendInternals;
  }

  /** The backend's wasm module (for `cwrap`). */
  get module(): WasmBackendInternals['wasm'] {
    return this.b.wasm;
  }

  /** Allocates an uninitialised tensor on the heap. */
  alloc(shape: number[], dtype: DataType): TensorInfo {
    return this.b.makeOutput(shape, dtype);
  }

  /** Disposes a temporary created by a kernel (alloc or a kernel output). */
  free(t: TensorInfo): void {
    this.b.disposeData(t.dataId);
  }

  /** The same data under another shape, as a new reference (free it like any tensor). */
  share(t: TensorInfo, shape: number[]): TensorInfo {
    this.b.incRef(t.dataId);
    return { dataId: t.dataId, shape, dtype: t.dtype };
  }

  /** True while `dataId` has data on this backend (it was not disposed). */
  has(dataId: DataId): boolean {
    return this.b.dataIdMap.has(dataId);
  }

  /** The backend's numeric id of a tensor (what the C++ kernels take). */
  id(t: TensorInfo): number {
    return this.entry(t).id;
  }

  /** A heap-wide element array for `dtype`; re-fetch after any allocation. */
  elements(dtype: DataType): HeapArray {
    const buf = this.b.wasm.HEAPU8.buffer;
    return dtype === 'bool' ? new Uint8Array(buf) : new Int32Array(buf);
  }

  /** A heap-wide float view; re-fetch after any allocation. */
  floats(): Float32Array {
    return new Float32Array(this.b.wasm.HEAPU8.buffer);
  }

  /** Byte address of the tensor's first element in the heap (what the SIMD kernels take). */
  ptr(t: TensorInfo): number {
    return this.entry(t).memoryOffset;
  }

  /** Offset of the tensor's first element in {@link elements} (or {@link floats}) units. */
  offset(t: TensorInfo): number {
    const off = this.entry(t).memoryOffset;
    return t.dtype === 'bool' ? off : off >>> 2;
  }

  /**
   * Registers a tensor that lives INSIDE `base`, `elementOffset` elements in, without allocating. It must be
   * released with {@link releaseView} (never `free`: that would `_free` an interior pointer) while `base` lives.
   */
  view(base: TensorInfo, elementOffset: number, shape: number[]): TensorInfo {
    const bytes = base.dtype === 'bool' ? 1 : 4;
    return this.b.makeOutput(shape, base.dtype, this.entry(base).memoryOffset + elementOffset * bytes);
  }

  /** Unregisters a {@link view} without freeing memory. */
  releaseView(t: TensorInfo): void {
    const e = this.entry(t);
    this.b.dataIdMap.delete(t.dataId);
    this.b.wasm.tfjs.disposeData(e.id);
  }

  private entry(t: TensorInfo): { id: number; memoryOffset: number } {
    const e = this.b.dataIdMap.get(t.dataId);
    if (!e) throw new Error('siamese wasm kernels: tensor data is not on this wasm backend (disposed?)');
    return e;
  }
}

/** A relabelled TensorInfo (no reference taken): only for passing to kernels within the current call. */
export function relabel(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Copies `n` elements inside one heap array; short runs avoid the per-call cost of `copyWithin`. */
export function copyRun(h: HeapArray, src: number, dst: number, n: number): void {
  if (n > 16) h.copyWithin(dst, src, src + n);
  else for (let i = 0; i < n; i++) h[dst + i] = h[src + i]!;
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}
