import {
  type Calibration,
  calibrate,
  dequantizeBinary,
  dequantizeInt8,
  type IndexPrecision,
  quantizeBinary,
  quantizeInt8,
  rowBytes,
} from './quantize.js';

/**
 * Row storage of one precision: float32 values, int8 codes, or 32-bit words of bits; grows as rows are added.
 * Quantized rows need a {@link Calibration}: given, or learned from the first batch written.
 */
export class QuantizedRows {
  readonly precision: IndexPrecision;
  readonly dim: number;
  /** Typed elements per row: `dim` values or codes, or ⌈dim/32⌉ words. */
  readonly rowLength: number;
  calibration: Calibration | undefined;
  data: Float32Array | Int8Array | Uint32Array;

  constructor(precision: IndexPrecision, dim: number, capacity: number, calibration?: Calibration) {
    this.precision = precision;
    this.dim = dim;
    this.rowLength = precision === 'binary' ? rowBytes('binary', dim) / 4 : dim;
    this.calibration = calibration;
    this.data = this.allocate(capacity);
  }

  /** Rows the storage holds without growing. */
  get capacity(): number {
    return this.data.length / this.rowLength;
  }

  /** Learns the calibration from `batch` (N×D) unless there is one already. */
  calibrateOn(batch: Float32Array): void {
    if (this.precision !== 'float32' && !this.calibration)
      this.calibration = calibrate(this.precision, batch, this.dim);
  }

  /** Grows to hold `rows` rows, keeping the first `used`. */
  reserve(rows: number, used: number): void {
    if (rows <= this.capacity) return;
    const next = this.allocate(Math.max(rows, this.capacity * 2));
    next.set(this.data.subarray(0, used * this.rowLength) as never);
    this.data = next;
  }

  write(row: number, values: Float32Array): void {
    if (this.precision === 'float32') (this.data as Float32Array).set(values, row * this.dim);
    else if (this.precision === 'int8')
      quantizeInt8(values, this.calibration!, this.data as Int8Array, row * this.dim);
    else quantizeBinary(values, this.calibration!, this.data as Uint32Array, row * this.rowLength);
  }

  /** Row `row` as floats (the dequantized value for quantized rows) into `out`. */
  read(row: number, out: Float32Array): Float32Array {
    if (this.precision === 'float32')
      out.set((this.data as Float32Array).subarray(row * this.dim, (row + 1) * this.dim));
    else if (this.precision === 'int8')
      dequantizeInt8(this.data as Int8Array, row * this.dim, this.calibration!, out);
    else dequantizeBinary(this.data as Uint32Array, row * this.rowLength, this.calibration!, out);
    return out;
  }

  copy(from: number, to: number): void {
    this.data.copyWithin(to * this.rowLength, from * this.rowLength, (from + 1) * this.rowLength);
  }

  /** Bytes held by `rows` rows and the calibration. */
  byteLength(rows: number): number {
    return rows * rowBytes(this.precision, this.dim) + (this.calibration ? this.dim * 8 : 0);
  }

  /** The first `rows` rows as bytes (a view). */
  bytes(rows: number): Uint8Array {
    return new Uint8Array(this.data.buffer, this.data.byteOffset, rows * rowBytes(this.precision, this.dim));
  }

  /** Replaces the first rows with `bytes` (validated by the caller). */
  load(bytes: Uint8Array): void {
    new Uint8Array(this.data.buffer, this.data.byteOffset, bytes.byteLength).set(bytes);
  }

  private allocate(rows: number): Float32Array | Int8Array | Uint32Array {
    if (this.precision === 'float32') return new Float32Array(rows * this.dim);
    if (this.precision === 'int8') return new Int8Array(rows * this.dim);
    return new Uint32Array(rows * this.rowLength);
  }
}
