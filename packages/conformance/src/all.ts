/**
 * The list of suites. Each package adds its runtime-neutral checks as one file in `./suites/`.
 * Order matters: `backend` initialises the WASM backend that later suites use.
 */
import type { Suite } from './harness.js';
import backend from './suites/backend.js';
import core from './suites/core.js';
import encoders from './suites/encoders.js';
import extensions from './suites/extensions.js';
import hostile from './suites/hostile.js';
import losses from './suites/losses.js';
import pairs from './suites/pairs.js';
import runtime from './suites/runtime.js';
import safetensors from './suites/safetensors.js';
import tokenizer from './suites/tokenizer.js';

export const suites: Suite[] = [
  core,
  safetensors,
  tokenizer,
  pairs,
  backend,
  encoders,
  losses,
  runtime,
  hostile,
  extensions,
];
export type { RunOutcome, RuntimeContext, TestContext, TestResult } from './harness.js';
export { formatResults, runSuites } from './harness.js';
