// Runs the bundled suite in the current runtime (Node, Deno or Bun) and exits non-zero on any failure.
import { readFile } from 'node:fs/promises';
import { formatResults, runSuites, suites } from '../dist/all.js';

const runtime = globalThis.Deno ? 'deno' : globalThis.Bun ? 'bun' : 'node';
const shared = globalThis.process?.env?.SIAMESE_SHARED;
const ctx = {
  runtime,
  golden: async (name) => JSON.parse(await readFile(`${shared}/golden/${name}.json`, 'utf8')),
  data: (path) => readFile(`${shared}/data/${path}`, 'utf8'),
};
const results = await runSuites(suites, ctx);
console.log(formatResults(runtime, results));
const failed = results.filter((r) => !r.ok).length;
if (results.length === 0 || failed > 0) globalThis.process.exit(1);
