// Runs the bundled suite in the current runtime (Node, Deno or Bun) and exits non-zero on any failure.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { formatResults, runSuites, suites } from '../dist/all.js';

const runtime = globalThis.Deno ? 'deno' : globalThis.Bun ? 'bun' : 'node';
// The repo's fixtures: PyTorch goldens (fixtures/golden) and gzipped data sets (datasets/).
const golden = new URL('../../../fixtures/golden/', import.meta.url);
const datasets = new URL('../../../datasets/', import.meta.url);
const fixtures = new URL('../../../fixtures/', import.meta.url);
const ctx = {
  runtime,
  golden: async (name) => JSON.parse(await readFile(new URL(`${name}.json`, golden), 'utf8')),
  data: async (path) => new TextDecoder().decode(gunzipSync(await readFile(new URL(`${path}.gz`, datasets)))),
  // A copy in its own ArrayBuffer at offset 0, as a file read into memory is (Node pools small Buffers).
  fixture: async (path) => new Uint8Array(await readFile(new URL(path, fixtures))),
};
const results = await runSuites(suites, ctx);
console.log(formatResults(runtime, results));
const failed = results.filter((r) => !r.ok).length;
if (results.length === 0 || failed > 0) globalThis.process.exit(1);
