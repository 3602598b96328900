// `npm run test:mutation [-- losses pairs tokenizer]`: Stryker mutation testing, one package at a time (not in CI:
// slow on 2 cores), with scripts/stryker.config.mjs; reports land in `packages/<pkg>/.out/`.
// Incremental: a rerun only retests mutants whose code or covering tests changed. `--full` forces a fresh run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const PACKAGES = ['losses', 'pairs', 'tokenizer'];
const args = process.argv.slice(2);
const full = args.includes('--full');
const chosen = args.filter((a) => !a.startsWith('--'));
for (const p of chosen) {
  if (!PACKAGES.includes(p)) {
    console.error(`test:mutation: unknown package "${p}" (expected ${PACKAGES.join(', ')})`);
    process.exit(2);
  }
}
const scores = [];
let failed = 0;
for (const pkg of chosen.length ? chosen : PACKAGES) {
  const cwd = join(root, 'packages', pkg);
  console.log(`\n=== mutation testing @siamese/${pkg}`);
  const res = spawnSync(
    join(root, 'node_modules', '.bin', 'stryker'),
    ['run', join(root, 'scripts', 'stryker.config.mjs'), ...(full ? ['--force'] : [])],
    { cwd, stdio: 'inherit', env: { ...process.env, SIAMESE_MUTATION: '1' } },
  );
  if (res.status !== 0) failed++;
  try {
    const report = JSON.parse(readFileSync(join(cwd, '.out', 'mutation.json'), 'utf8'));
    let killed = 0;
    let total = 0;
    let ignored = 0;
    for (const file of Object.values(report.files)) {
      for (const m of file.mutants) {
        if (m.status === 'Ignored') ignored++;
        if (m.status === 'Ignored' || m.status === 'CompileError' || m.status === 'RuntimeError') continue;
        total++;
        if (m.status === 'Killed' || m.status === 'Timeout') killed++;
      }
    }
    scores.push(
      `@siamese/${pkg}: ${((100 * killed) / total).toFixed(2)}% (${killed}/${total} killed; ${ignored} ignored: static or disabled with a reason)`,
    );
  } catch (e) {
    scores.push(`@siamese/${pkg}: no report (${e.message})`);
  }
}
console.log(`\nmutation scores:\n  ${scores.join('\n  ')}`);
process.exit(failed ? 1 : 0);
