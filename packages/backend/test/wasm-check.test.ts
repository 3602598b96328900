import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkKernelsModule, scanCode } from '../build/wasm-check.mjs';

const file = (path: string) => new Uint8Array(readFileSync(new URL(path, import.meta.url)));

/** A module with one `() -> ()` function whose body is `code` (locals: none), plus the given extra sections. */
function module(code: number[], extra: number[][] = []): Uint8Array<ArrayBuffer> {
  const body = [0x00, ...code];
  const sectionsBytes = [
    [0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type: () -> ()
    [0x03, 0x02, 0x01, 0x00], // function 0 has type 0
    [0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b], // one mutable i32 global (like __stack_pointer)
    [0x0a, body.length + 2, 0x01, body.length, ...body],
    ...extra,
  ];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sectionsBytes.flat()]);
}

describe('the kernels module check (no llvm-objdump needed, so it never skips)', () => {
  it('passes the committed siamese-kernels.wasm, decoding every function to its end', () => {
    const scan = checkKernelsModule(file('../wasm/siamese-kernels.wasm'));
    expect(scan.functions).toBe(12);
    expect(scan.globals).toEqual([]);
    expect(scan.instructions).toBeGreaterThan(1000);
  });

  it('finds exactly the global accesses llvm-objdump finds in a large real module (tfjs’ SIMD build)', () => {
    const bytes = file(
      '../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    );
    const scan = scanCode(bytes);
    // `llvm-objdump -d` on the same file (tfjs-backend-wasm 4.22.0): 598 functions, 568 global.get/set, 193 gets.
    expect(scan.functions).toBe(598);
    expect(scan.globals).toHaveLength(568);
    expect(scan.globals.filter((g) => g.op === 'global.get')).toHaveLength(193);
    // It breaks both rules: static data and the shadow stack.
    expect(() => checkKernelsModule(bytes)).toThrow('has a data section');
  });

  it('tells a global.get from a 0x23 byte inside an immediate', () => {
    const constant = module([0x41, 0x23, 0x1a, 0x0b]); // i32.const 35; drop; end
    const access = module([0x23, 0x00, 0x1a, 0x0b]); // global.get 0; drop; end
    expect(WebAssembly.validate(constant)).toBe(true);
    expect(WebAssembly.validate(access)).toBe(true);
    expect(checkKernelsModule(constant).globals).toEqual([]);
    expect(() => checkKernelsModule(access)).toThrow('a global.get in function 0');
    expect(() => checkKernelsModule(module([0x41, 0x00, 0x24, 0x00, 0x0b]))).toThrow('a global.set');
  });

  it('refuses a data section, and fails (never skips) on an instruction it cannot decode', () => {
    const data = module([0x0b], [[0x0b, 0x01, 0x00]]);
    expect(WebAssembly.validate(data)).toBe(true);
    expect(() => checkKernelsModule(data)).toThrow('has a data section');
    // 0xfe: the atomics prefix (threads), which the kernels never use.
    expect(() => checkKernelsModule(module([0xfe, 0x03, 0x00, 0x0b]))).toThrow(/unknown opcode 0xfe/);
    expect(() => checkKernelsModule(module([0x41, 0x80]))).toThrow(/unexpected end|ends without/);
    expect(() => checkKernelsModule(new Uint8Array([1, 2, 3, 4]))).toThrow(
      'not a version-1 WebAssembly module',
    );
  });
});
