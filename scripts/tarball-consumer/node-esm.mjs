// Node ESM entry (also run unchanged by Deno and Bun): `node node-esm.mjs [--save] [--cpu]`. Reads the data with
// the SDK's own file reader, runs logic.mjs, prints one JSON report line; `--save` writes the model to
// out/model.bin, `--cpu` trains on the cpu backend.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as sdk from '@siamese/sdk';
import { readPairsFile } from '@siamese/sdk/node';
import { run } from './logic.mjs';

const options = { normalizeScores: { from: [0, 5] } };
const { pairs: train } = await readPairsFile('data/train.tsv.gz', options);
const { pairs: dev } = await readPairsFile('data/dev.tsv.gz', options);
const reference = existsSync('out/model.bin') ? new Uint8Array(readFileSync('out/model.bin')) : undefined;
const backend = process.argv.includes('--cpu') ? 'cpu' : undefined;
const { report, bytes } = await run(sdk, { train, dev, reference, backend });
if (process.argv.includes('--save')) {
  mkdirSync('out', { recursive: true });
  writeFileSync('out/model.bin', bytes);
}
console.log(JSON.stringify(report));
