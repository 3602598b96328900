// Checks the SIMD kernels module against the rules of csrc/kernels.c, with no tool beyond Node: it shares tfjs'
// heap, so it must have no data segments (they would be copied over tfjs memory at instantiation) and must never
// touch its shadow stack (`global.get`/`global.set` of `__stack_pointer`: the only globals clang emits). The code
// section is decoded instruction by instruction (immediates skipped by their encoding), so a 0x23 byte inside an
// immediate is never mistaken for `global.get`; an opcode the decoder does not know fails the check, never skips it.

const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

class Reader {
  constructor(bytes, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }
  byte() {
    if (this.pos >= this.bytes.length) throw new Error(`wasm: unexpected end at offset ${this.pos}`);
    return this.bytes[this.pos++];
  }
  /** Unsigned LEB128 (up to 32 bits used here: sizes, indices, alignments). */
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
      if (shift > 35) throw new Error(`wasm: LEB128 too long at offset ${this.pos}`);
    }
  }
  /** Skips a signed LEB128 of up to `bits` bits. */
  skipSigned(bits) {
    for (let n = 0; n < Math.ceil(bits / 7); n++) if (!(this.byte() & 0x80)) return;
    throw new Error(`wasm: signed LEB128 too long at offset ${this.pos}`);
  }
  skip(n) {
    this.pos += n;
  }
}

/** The sections of a module: `[{ id, start, end }]` (payload bounds). */
export function sections(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!magic.every((b, i) => bytes[i] === b)) throw new Error('wasm: not a version-1 WebAssembly module');
  const r = new Reader(bytes, 8);
  const out = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, start: r.pos, end: r.pos + size });
    r.skip(size);
  }
  if (r.pos !== bytes.length) throw new Error('wasm: the last section runs past the end of the module');
  return out;
}

/** Skips one instruction's immediates; returns its name when it is a global access, else undefined. */
function instruction(r, op) {
  if (op === 0x23 || op === 0x24) {
    r.u32();
    return op === 0x23 ? 'global.get' : 'global.set';
  }
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1)
    return;
  if (op >= 0x02 && op <= 0x04) {
    // block type: empty (0x40), a value type, or a type index (s33)
    const b = r.bytes[r.pos];
    if (b === 0x40 || VALTYPES.has(b)) r.skip(1);
    else r.skipSigned(33);
    return;
  }
  if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x22) || op === 0x25 || op === 0x26) {
    r.u32();
    return;
  }
  if (op === 0x0e) {
    const n = r.u32();
    for (let i = 0; i <= n; i++) r.u32();
    return;
  }
  if (op === 0x11) {
    r.u32();
    r.u32();
    return;
  }
  if (op === 0x1c) {
    const n = r.u32();
    r.skip(n);
    return;
  }
  if (op >= 0x28 && op <= 0x3e) {
    r.u32(); // align
    r.u32(); // offset
    return;
  }
  if (op === 0x3f || op === 0x40) return void r.byte();
  if (op === 0x41) return void r.skipSigned(32);
  if (op === 0x42) return void r.skipSigned(64);
  if (op === 0x43) return void r.skip(4);
  if (op === 0x44) return void r.skip(8);
  if (op >= 0x45 && op <= 0xc4) return;
  if (op === 0xd0) return void r.byte();
  if (op === 0xd2) return void r.u32();
  if (op === 0xfc) return bulk(r);
  if (op === 0xfd) return simd(r);
  throw new Error(`wasm: unknown opcode 0x${op.toString(16)} at offset ${r.pos - 1}`);
}

/** 0xFC prefix: saturating truncations, bulk memory, tables. */
function bulk(r) {
  const sub = r.u32();
  if (sub <= 7) return;
  const immediates = {
    8: 'ub',
    9: 'u',
    10: 'bb',
    11: 'b',
    12: 'uu',
    13: 'u',
    14: 'uu',
    15: 'u',
    16: 'u',
    17: 'u',
  }[sub];
  if (immediates === undefined) throw new Error(`wasm: unknown 0xfc ${sub} at offset ${r.pos}`);
  for (const k of immediates) k === 'u' ? r.u32() : r.byte();
}

/** 0xFD prefix: SIMD (and relaxed SIMD, which has no immediates). */
function simd(r) {
  const sub = r.u32();
  const memarg = () => {
    r.u32();
    r.u32();
  };
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) return memarg();
  if (sub === 0x0c || sub === 0x0d) return r.skip(16);
  if (sub >= 0x15 && sub <= 0x22) return void r.byte();
  if (sub >= 0x54 && sub <= 0x5b) {
    memarg();
    r.byte();
  }
}

/**
 * Decodes every function body of the code section. Returns the number of functions, of instructions, and the
 * global accesses found (`[{ func, op, offset }]`).
 */
export function scanCode(bytes) {
  const code = sections(bytes).find((s) => s.id === 10);
  const found = { functions: 0, instructions: 0, globals: [] };
  if (!code) return found;
  const r = new Reader(bytes, code.start);
  const count = r.u32();
  for (let f = 0; f < count; f++) {
    const size = r.u32();
    const end = r.pos + size;
    const groups = r.u32();
    for (let g = 0; g < groups; g++) {
      r.u32();
      r.byte();
    }
    let depth = 1;
    while (depth > 0) {
      if (r.pos >= end) throw new Error(`wasm: function ${f} ends without its final 'end'`);
      const at = r.pos;
      const op = r.byte();
      found.instructions++;
      if (op >= 0x02 && op <= 0x04) depth++;
      else if (op === 0x0b) depth--;
      const global = instruction(r, op);
      if (global) found.globals.push({ func: f, op: global, offset: at });
    }
    if (r.pos !== end) throw new Error(`wasm: function ${f} decoded to ${r.pos - end} bytes past its size`);
    found.functions++;
  }
  if (r.pos !== code.end) throw new Error('wasm: the code section holds more than its functions');
  return found;
}

/** Throws unless the kernels module follows the rules: no data section, no shadow-stack access. */
export function checkKernelsModule(bytes) {
  for (const s of sections(bytes)) {
    if (s.id === 11 || s.id === 12)
      throw new Error('kernels: the module has a data section (static data in kernels.c?)');
  }
  const scan = scanCode(bytes);
  if (scan.globals.length) {
    const first = scan.globals[0];
    throw new Error(
      `kernels: the code uses the shadow stack (a local array?): ${scan.globals.length} global access(es), the first a ${first.op} in function ${first.func} at byte ${first.offset}`,
    );
  }
  return scan;
}
