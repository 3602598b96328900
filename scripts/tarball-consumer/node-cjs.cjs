// Node CommonJS entry: the same program with the packages loaded through `require` (their CommonJS builds).
const { existsSync, readFileSync } = require('node:fs');
const sdk = require('@siamese/sdk');
const { readPairsFile } = require('@siamese/sdk/node');

async function main() {
  const { run } = await import('./logic.mjs'); // the shared logic imports nothing itself
  const options = { normalizeScores: { from: [0, 5] } };
  const { pairs: train } = await readPairsFile('data/train.tsv.gz', options);
  const { pairs: dev } = await readPairsFile('data/dev.tsv.gz', options);
  const reference = existsSync('out/model.bin') ? new Uint8Array(readFileSync('out/model.bin')) : undefined;
  const { report } = await run(sdk, { train, dev, reference });
  console.log(JSON.stringify(report));
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
