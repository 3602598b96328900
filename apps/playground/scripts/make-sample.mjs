// `node scripts/make-sample.mjs`: writes src/sample.json, the built-in training sample (~50 KB): the first 600
// STS-B train pairs with short sentences, as [sentence1, sentence2, score 0–5]. STS-B is CC BY-SA (see datasets/).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

const file = resolve(import.meta.dirname, '../../../datasets/stsb/train.tsv.gz');
const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n').slice(1);
const pairs = lines
  .map((l) => l.split('\t'))
  .filter(([a, b]) => a.length + b.length < 110)
  .slice(0, 600)
  .map(([a, b, s]) => [a, b, Number(s)]);
const out = { source: 'STS Benchmark train (first 600 short pairs), CC BY-SA 4.0', pairs };
writeFileSync(join(import.meta.dirname, '../src/sample.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${pairs.length} pairs`);
