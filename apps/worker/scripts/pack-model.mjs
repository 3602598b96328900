// `node scripts/pack-model.mjs <model> [--references file.txt] [--threshold 0.7] [--out model/]`
// Converts a saved model (a folder such as ../../demo-model from `npm run demo`, a single file, or a URL) into the
// single-file model/model.bin the Worker imports. --references sets the /search and /match corpus (one sentence per
// line; default: keep model/references.json). --threshold sets the /match threshold when the model has none.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { initBackend, loadModel, modelToBytes } from '@siamese/runtime';
import { BUDGET_BYTES } from './bundle.mjs';
import { modelDir } from './paths.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { references: { type: 'string' }, threshold: { type: 'string' }, out: { type: 'string' } },
});
if (positionals.length !== 1) {
  console.error(
    'usage: node scripts/pack-model.mjs <model folder|file|url> [--references file.txt] [--threshold x] [--out dir]',
  );
  process.exit(2);
}
const out = resolve(values.out ?? modelDir);
await initBackend();
const model = await loadModel(/^[a-z]+:/i.test(positionals[0]) ? positionals[0] : resolve(positionals[0]));
if (values.threshold !== undefined) {
  const value = Number(values.threshold);
  if (!Number.isFinite(value)) throw new Error(`--threshold: expected a number, found ${values.threshold}`);
  model.threshold = { value, metric: 'manual', score: Number.NaN };
}
const bytes = await modelToBytes(model);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'model.bin'), bytes);
const refsFile = join(out, 'references.json');
if (values.references) {
  const lines = readFileSync(values.references, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  writeFileSync(refsFile, `${JSON.stringify(lines, null, 2)}\n`);
} else if (!existsSync(refsFile)) {
  throw new Error(`no ${refsFile} yet: pass --references file.txt (one sentence per line)`);
}
const gzip = gzipSync(bytes).byteLength;
console.log(
  `wrote ${join(out, 'model.bin')}: ${bytes.byteLength} bytes (${gzip} gzip), model ${model.id}, ` +
    `threshold ${model.threshold ? model.threshold.value.toFixed(4) : 'none (POST /match answers 501)'}`,
);
if (gzip > BUDGET_BYTES - 300_000) {
  console.warn(
    `warning: the Worker upload (JS + wasm ≈ 250 KB gzip + model) may exceed the ${BUDGET_BYTES} byte budget`,
  );
}
model.dispose();
