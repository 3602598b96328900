// Mutation testing of one package, run from its folder (`npm run test:mutation` at the repo root runs
// scripts/mutation.mjs, which runs Stryker with this config in each package in turn).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

// One sandbox root per package, so two packages can be tested at once without sharing (or cleaning) a folder.
const pkg = basename(process.cwd());
// `--sample N` (scripts/mutation.mjs) writes the sampled lines here; a sampled run keeps its own incremental
// file and report, so it never overwrites (or reuses) the results of a full run.
const sample = process.env.SIAMESE_MUTATION_SAMPLE;
const suffix = sample ? '-sample' : '';
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts' },
  mutate: sample ? JSON.parse(readFileSync(sample, 'utf8')) : ['src/**/*.ts'],
  coverageAnalysis: 'perTest',
  // A "static" mutant runs only while modules load (module-level constants, regexes, tables), so it cannot be
  // switched on per test: Stryker reloads everything and runs the whole suite for each one. With the tokenizer's
  // fixtures built at load, 1133 of its 2602 mutants (44%) were static, estimated at 91% of the run; with the
  // fixtures built in beforeEach (as the tests now do), 68 run only at load. Those are left out (Ignored; scripts/mutation.mjs
  // prints how many). A mutant run both at load and by a test still runs, with the tests that cover it.
  ignoreStatic: true,
  // Other jobs share the 2 cores; one worker keeps the run predictable.
  concurrency: 1,
  // The first full run with per-test coverage takes minutes on a busy machine.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: `.out/stryker-incremental${suffix}.json`,
  reporters: ['clear-text', 'progress', 'json', 'live'],
  appendPlugins: [new URL('./stryker-live-reporter.mjs', import.meta.url).pathname],
  jsonReporter: { fileName: `.out/mutation${suffix}.json` },
  thresholds: { high: 90, low: 80, break: 80 },
  // The sandbox sits two levels below the repo root, as the package does (the tests' relative paths to
  // datasets/, fixtures/ and scripts/ hold), and outside the package (its own vitest never runs the copies).
  tempDirName: `../../.stryker-tmp-${pkg}`,
  // Stryker rewrites tsconfig "extends" paths for a sandbox inside the package; this one needs them as they are.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  cleanTempDir: 'always',
};
