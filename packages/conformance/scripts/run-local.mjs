// `node scripts/run-local.mjs node|deno|bun`: runs the suite with that runtime's binary from node_modules/.bin.
import { spawnSync } from 'node:child_process';
import { bin, pkgDir } from './paths.mjs';
import { ensureReference } from './reference.mjs';

const runtime = process.argv[2];
const entry = `${pkgDir}/scripts/entry-local.mjs`;
const commands = {
  node: [process.execPath, [entry]],
  deno: [bin('deno'), ['run', '--quiet', `--allow-read`, '--allow-env', entry]],
  bun: [bin('bun'), ['run', entry]],
};
const cmd = commands[runtime];
if (!cmd) {
  console.error(`usage: run-local.mjs node|deno|bun (got ${runtime})`);
  process.exit(2);
}
// Models using custom extensions are saved by another (Node) process first: the suite loads them fresh.
const saved = spawnSync(process.execPath, [`${pkgDir}/scripts/save-extensions.mjs`], {
  stdio: 'inherit',
  cwd: pkgDir,
});
if (saved.status !== 0) {
  console.error(`conformance(${runtime}): saving the extension models failed`);
  process.exit(1);
}
if (runtime !== 'node') {
  try {
    ensureReference();
  } catch (e) {
    console.error(`conformance(${runtime}): no Node reference: ${e.message}`);
    process.exit(1);
  }
}
const res = spawnSync(cmd[0], cmd[1], {
  stdio: 'inherit',
  cwd: pkgDir,
  env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
});
if (res.error) {
  console.error(`conformance(${runtime}): could not start ${cmd[0]}: ${res.error.message}`);
  process.exit(1);
}
process.exit(res.status ?? 1);
