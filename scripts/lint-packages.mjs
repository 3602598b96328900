// `npm run lint:packages`: publint + @arethetypeswrong/cli on every built, publishable package. Fails on errors.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (n) => join(root, 'node_modules', '.bin', n);
let failed = 0;
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkgDir = join(root, 'packages', dir);
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (pkg.private) continue;
  const dual = JSON.stringify(pkg.exports ?? {}).includes('"require"');
  // Asset subpaths (the .wasm binary) are not modules: attw has nothing to check there.
  const assets = Object.keys(pkg.exports ?? {}).filter((k) => k.endsWith('.wasm'));
  const checks = [
    [bin('publint'), ['run', pkgDir, '--strict', '--level', 'warning']],
    [
      bin('attw'),
      [
        '--pack',
        pkgDir,
        '--format',
        'table-flipped',
        // node10 resolution predates `exports` maps (subpaths like @siamese/pairs/node cannot work there).
        '--profile',
        dual ? 'node16' : 'esm-only',
        ...(assets.length ? ['--exclude-entrypoints', ...assets] : []),
      ],
    ],
  ];
  for (const [cmd, args] of checks) {
    const r = spawnSync(cmd, args, { cwd: pkgDir, encoding: 'utf8' });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    const name = cmd.endsWith('attw') ? 'attw' : 'publint';
    if (r.status !== 0) {
      failed++;
      console.log(`✗ ${pkg.name} ${name}\n${out}\n`);
    } else {
      console.log(`✓ ${pkg.name} ${name}${dual ? '' : ' (esm-only)'}`);
    }
  }
}
if (failed) {
  console.error(`lint:packages: ${failed} check(s) failed`);
  process.exit(1);
}
console.log('lint:packages: all packages pass publint and attw');
