import { type DataId, env, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmHeap } from './wasm-heap.js';

interface Entry {
  source: DataId;
  shape: string;
  module: object;
  transposed: TensorInfo;
}

/**
 * A few transposed copies of recently used matmul operands, keyed by the (immutable) data they came from, so
 * that a weight transposed at every time step is transposed once (and XNNPACK, which caches packed weights per
 * tensor id, packs it once). Entries are freed when evicted or when their source is gone, so at most `capacity`
 * extra tensors stay on the heap.
 */
export class TransposeCache {
  private entries: Entry[] = [];

  constructor(private readonly capacity: number) {}

  /** False in tfjs DEBUG mode, whose per-kernel leak check would count a cached tensor as a leak. */
  get enabled(): boolean {
    return !env().getBool('DEBUG');
  }

  /** The transpose of `source`, made by `make` on a miss. Owned by the cache: the caller must NOT free it. */
  get(heap: WasmHeap, source: TensorInfo, make: () => TensorInfo): TensorInfo {
    this.prune(heap);
    const shape = source.shape.join(',');
    const hit = this.entries.find((e) => e.source === source.dataId && e.shape === shape);
    if (hit) return hit.transposed;
    const transposed = make();
    this.entries.push({ source: source.dataId, shape, module: heap.module, transposed });
    while (this.entries.length > this.capacity) heap.free(this.entries.shift()!.transposed);
    return transposed;
  }

  /** Forgets entries of another wasm module; frees entries whose source tensor was disposed. */
  private prune(heap: WasmHeap): void {
    this.entries = this.entries.filter((e) => {
      if (e.module !== heap.module) return false;
      if (heap.has(e.source)) return true;
      heap.free(e.transposed);
      return false;
    });
  }
}
