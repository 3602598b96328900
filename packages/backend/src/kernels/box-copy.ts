import { copyRun, type HeapArray, stridesOf } from './wasm-heap.js';

/**
 * Copies the box `[begin, begin + size)` of a row-major tensor of `shape` (first element at `src`) densely to
 * `dst`, all in elements of the heap array `h`. Trailing full dimensions are merged into one contiguous run, so a
 * time step of [B, T, D] is B runs of D elements instead of a copy of the whole input.
 */
export function copyBox(
  h: HeapArray,
  src: number,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  dst: number,
): void {
  const rank = shape.length;
  const strides = stridesOf(shape);
  // Dims j..rank-1 form one run: every dim after j is taken whole.
  let j = rank - 1;
  let run = 1;
  while (j >= 0) {
    run *= size[j]!;
    if (size[j] !== shape[j]) break;
    j--;
  }
  if (run === 0) return;
  let off = src;
  for (let d = 0; d <= j; d++) off += begin[d]! * strides[d]!;
  if (j <= 0) {
    copyRun(h, off, dst, run);
    return;
  }
  // Odometer over the outer dims 0..j-1.
  let count = 1;
  for (let d = 0; d < j; d++) count *= size[d]!;
  const idx = new Array<number>(j).fill(0);
  let o = dst;
  for (let n = 0; n < count; n++) {
    copyRun(h, off, o, run);
    o += run;
    for (let d = j - 1; d >= 0; d--) {
      off += strides[d]!;
      if (++idx[d]! < size[d]!) break;
      off -= size[d]! * strides[d]!;
      idx[d] = 0;
    }
  }
}
