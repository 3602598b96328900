// Builds csrc/kernels.c into wasm/siamese-kernels.wasm with clang (Debian: `apt-get install clang lld`).
// The built binary is committed, so machines without clang build the package too; with clang, the build
// recompiles and (with --check, as CI runs it) fails if the committed binary does not match the source.
// It also enforces the rules in kernels.c: the module shares tfjs' heap, so it must have no data segments and
// must never touch its shadow stack (both would write over tfjs memory).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'csrc/kernels.c');
const target = join(root, 'wasm/siamese-kernels.wasm');
// CI builds with clang and must reproduce the committed binary exactly.
const check = process.argv.includes('--check') || Boolean(process.env.CI);

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const clang = process.env.CLANG ?? which('clang');
if (!clang) {
  if (check) throw new Error('kernels: --check needs clang (apt-get install clang lld)');
  if (!existsSync(target)) throw new Error(`kernels: ${target} is missing and clang is not installed`);
  console.log('kernels: clang not found, using the committed wasm/siamese-kernels.wasm');
  process.exit(0);
}

const out = join(mkdtempSync(join(tmpdir(), 'siamese-kernels-')), 'kernels.wasm');
execFileSync(
  clang,
  [
    '--target=wasm32',
    '-O3',
    '-msimd128',
    '-mbulk-memory',
    '-nostdlib',
    '-ffreestanding',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-Wl,--no-entry',
    '-Wl,--import-memory',
    '-Wl,--strip-all',
    '-o',
    out,
    source,
  ],
  { stdio: 'inherit' },
);
const built = readFileSync(out);

// Section ids: 11 = data, 12 = data count. Code that reads or writes a global could only mean __stack_pointer.
for (const id of sectionIds(built)) {
  if (id === 11 || id === 12)
    throw new Error('kernels: the module has a data section (static data in kernels.c?)');
}
const objdump = join(dirname(realpathSync(clang)), 'llvm-objdump');
if (existsSync(objdump)) {
  const asm = execFileSync(objdump, ['-d', out], { encoding: 'utf8' });
  if (/\bglobal\.(get|set)\b/.test(asm))
    throw new Error('kernels: the code uses the shadow stack (a local array?)');
}

const committed = existsSync(target) ? readFileSync(target) : undefined;
if (committed?.equals(built)) {
  console.log(`kernels: wasm/siamese-kernels.wasm is up to date (${built.length} bytes)`);
} else if (check) {
  throw new Error(
    'kernels: wasm/siamese-kernels.wasm does not match csrc/kernels.c: run the build and commit it',
  );
} else {
  writeFileSync(target, built);
  console.log(`kernels: built wasm/siamese-kernels.wasm (${built.length} bytes)`);
}

function* sectionIds(bytes) {
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++];
    let size = 0;
    let shift = 0;
    let b;
    do {
      b = bytes[p++];
      size |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    yield id;
    p += size;
  }
}
