// Builds csrc/kernels.c into wasm/siamese-kernels.wasm with clang (Debian: `apt-get install clang lld`).
// The built binary is committed, so machines without clang build the package too; with clang, the build
// recompiles and (with --check, as CI runs it) fails if the committed binary does not match the source.
// It also enforces the rules in kernels.c, on the built or the committed binary alike: the module shares tfjs'
// heap, so it must have no data segments and must never touch its shadow stack (both would write over tfjs
// memory). The check decodes the wasm itself (./wasm-check.mjs): it needs no tool, so it never skips.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkKernelsModule } from './wasm-check.mjs';

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
  const scan = checkKernelsModule(readFileSync(target));
  console.log(
    `kernels: clang not found, using the committed wasm/siamese-kernels.wasm (checked: ${scan.functions} functions, no data, no shadow stack)`,
  );
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
const scan = checkKernelsModule(built);

const committed = existsSync(target) ? readFileSync(target) : undefined;
if (committed?.equals(built)) {
  console.log(
    `kernels: wasm/siamese-kernels.wasm is up to date (${built.length} bytes; ${scan.functions} functions, no data, no shadow stack)`,
  );
} else if (check) {
  throw new Error(
    'kernels: wasm/siamese-kernels.wasm does not match csrc/kernels.c: run the build and commit it',
  );
} else {
  writeFileSync(target, built);
  console.log(`kernels: built wasm/siamese-kernels.wasm (${built.length} bytes)`);
}
