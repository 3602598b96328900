// Runs the bundled suite in the current runtime (Node, Deno or Bun) and exits non-zero on any failure.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { formatResults, runSuites, suites } from '../dist/all.js';

const runtime = globalThis.Deno ? 'deno' : globalThis.Bun ? 'bun' : 'node';
// The repo's fixtures: PyTorch goldens (fixtures/golden) and gzipped data sets (datasets/).
const golden = new URL('../../../fixtures/golden/', import.meta.url);
const datasets = new URL('../../../datasets/', import.meta.url);
const saved = new URL('../.out/saved/', import.meta.url);
const ctx = {
  runtime,
  golden: async (name) => JSON.parse(await readFile(new URL(`${name}.json`, golden), 'utf8')),
  data: async (path) => new TextDecoder().decode(gunzipSync(await readFile(new URL(`${path}.gz`, datasets)))),
  saved: async (name) => JSON.parse(await readFile(new URL(`${name}.json`, saved), 'utf8')),
};
const results = await runSuites(suites, ctx);
console.log(formatResults(runtime, results));
const failed = results.filter((r) => !r.ok).length;
if (results.length === 0 || failed > 0) globalThis.process.exit(1);
