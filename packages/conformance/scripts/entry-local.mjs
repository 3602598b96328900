// Runs the bundled suite in the current runtime (Node, Deno or Bun) and exits non-zero on any failure.
// Node records the cross-runtime reference (`ctx.same()` values) for this build; Deno and Bun compare with it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { formatResults, runSuites, suites } from '../dist/all.js';

const runtime = globalThis.Deno ? 'deno' : globalThis.Bun ? 'bun' : 'node';
// The repo's fixtures: PyTorch goldens (fixtures/golden) and gzipped data sets (datasets/).
const golden = new URL('../../../fixtures/golden/', import.meta.url);
const datasets = new URL('../../../datasets/', import.meta.url);
const fixtures = new URL('../../../fixtures/', import.meta.url);
const saved = new URL('../.out/saved/', import.meta.url);
const referenceUrl = new URL('../.out/reference-node.json', import.meta.url);
const reference = runtime === 'node' ? null : JSON.parse(await readFile(referenceUrl, 'utf8')).values;
const ctx = {
  runtime,
  reference,
  golden: async (name) => JSON.parse(await readFile(new URL(`${name}.json`, golden), 'utf8')),
  data: async (path) => new TextDecoder().decode(gunzipSync(await readFile(new URL(`${path}.gz`, datasets)))),
  // A copy in its own ArrayBuffer at offset 0, as a file read into memory is (Node pools small Buffers).
  fixture: async (path) => new Uint8Array(await readFile(new URL(path, fixtures))),
  saved: async (name) => JSON.parse(await readFile(new URL(`${name}.json`, saved), 'utf8')),
};
const outcome = await runSuites(suites, ctx);
console.log(formatResults(runtime, outcome));
const failed = outcome.results.filter((r) => !r.ok).length;
if (runtime === 'node') {
  const { buildFingerprint } = await import('./reference.mjs');
  await mkdir(new URL('../.out/', import.meta.url), { recursive: true });
  await writeFile(
    referenceUrl,
    `${JSON.stringify({ fingerprint: buildFingerprint(), ok: failed === 0, values: outcome.recorded }, null, 1)}\n`,
  );
}
if (outcome.results.length === 0 || failed > 0) globalThis.process.exit(1);
