// `npm run lint:packages`: publint + @arethetypeswrong/cli on every built, publishable package, and the publishing
// hygiene npm shows to users (licence file, repository links, engines, README links that work on npmjs.com).
// Fails on errors.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
/** The one repository URL of every package (docs/releasing.md: it must match the real repository). */
const REPO = 'https://github.com/siamese-sdk/siamese';
const ENGINES = '>=20.19';

/** What npm shows about a package that would be wrong or broken once published. */
function hygiene(pkgDir, pkg) {
  const problems = [];
  const dir = pkgDir.slice(root.length + 1);
  let license = '';
  try {
    license = readFileSync(join(pkgDir, 'LICENSE'), 'utf8');
  } catch {
    problems.push('no LICENSE file (copy the root LICENSE)');
  }
  if (license && license !== readFileSync(join(root, 'LICENSE'), 'utf8'))
    problems.push('LICENSE differs from the root LICENSE');
  if (pkg.license !== 'Apache-2.0') problems.push(`license: expected Apache-2.0, found ${pkg.license}`);
  const repo = pkg.repository ?? {};
  if (repo.url !== `git+${REPO}.git` || repo.directory !== dir) {
    problems.push(
      `repository: expected { url: git+${REPO}.git, directory: ${dir} }, found ${JSON.stringify(pkg.repository)}`,
    );
  }
  if (pkg.homepage !== `${REPO}/tree/main/${dir}#readme`) problems.push(`homepage: found ${pkg.homepage}`);
  if (pkg.bugs?.url !== `${REPO}/issues`) problems.push(`bugs: found ${JSON.stringify(pkg.bugs)}`);
  if (pkg.engines?.node !== ENGINES)
    problems.push(`engines.node: expected ${ENGINES}, found ${pkg.engines?.node}`);
  // Scoped packages are published restricted (paid, private) unless told otherwise.
  if (pkg.publishConfig?.access !== 'public') problems.push('publishConfig.access: expected "public"');
  // The README is the package's page on npmjs.com, where only absolute links work.
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  for (const m of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (!/^(https?:|mailto:|#)/.test(m[1]))
      problems.push(`README.md: relative link ${m[1]} (broken on npmjs.com)`);
  }
  return problems;
}
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
  const problems = hygiene(pkgDir, pkg);
  if (problems.length) {
    failed++;
    console.log(`✗ ${pkg.name} publishing hygiene\n  ${problems.join('\n  ')}\n`);
  } else {
    console.log(
      `✓ ${pkg.name} hygiene (LICENSE, repository, homepage, bugs, engines, public access, README links)`,
    );
  }
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
