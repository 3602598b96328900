import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchSuite } from '../types.js';

/**
 * The Cloudflare Worker's upload size (apps/worker): JS bundle, wasm and model, raw and gzip each, against the
 * 3 MB budget. It trains the tiny model and bundles the Worker in a child process (apps/worker/scripts).
 */
const suite: BenchSuite = {
  name: 'worker',
  description: 'Cloudflare Worker upload size: JS + wasm + model (gzip) vs the 3 MB budget',
  async run({ quick, log }) {
    const appDir = dirname(createRequire(import.meta.url).resolve('@siamese/app-worker/package.json'));
    const res = spawnSync(
      process.execPath,
      [join(appDir, 'scripts/size-report.mjs'), ...(quick ? ['--quick'] : [])],
      { encoding: 'utf8' },
    );
    if (res.status !== 0) throw new Error(`worker size report failed (${res.status}):\n${res.stderr}`);
    const sizes = JSON.parse(res.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    log(`worker: ${sizes.totalGzip} of ${sizes.budgetBytes} bytes gzip`);
    return [
      {
        suite: 'worker',
        jsBytes: sizes.jsBytes,
        jsGzip: sizes.jsGzip,
        wasmBytes: sizes.wasmBytes,
        wasmGzip: sizes.wasmGzip,
        modelBytes: sizes.modelBytes,
        modelGzip: sizes.modelGzip,
        totalGzip: sizes.totalGzip,
        budgetBytes: sizes.budgetBytes,
      },
    ];
  },
};
export default suite;
