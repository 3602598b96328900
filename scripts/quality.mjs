// `node scripts/quality.mjs [--quick]`: trains every preset × loss we report on STS-B, SICK and MRPC (train →
// dev, chosen on dev only) with the CLI and prints a markdown table (docs/quality.md holds the last run).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const datasets = join(root, 'datasets');
const cli = process.env.SIAMESE_CLI ?? join(root, 'packages/cli/dist/cli.js');
const vectors = join(root, 'datasets/glove/glove.6B.50d.10k.txt.gz');
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
// `--seeds=42,1,2` repeats every run with each seed (how the default recipe was chosen: docs/quality.md).
const seeds = (process.argv.find((a) => a.startsWith('--seeds='))?.slice(8) ?? '42').split(',').map(Number);
const runs = [
  ['stsb', 'meanpool', 'cosine', 4],
  ['stsb', 'meanpool', 'cosent', 4],
  ['stsb', 'meanpool', 'mnrl', 4],
  ['stsb', 'cnn', 'cosine', 5],
  ['stsb', 'cnn', 'cosent', 5],
  ['stsb', 'cnn', 'mnrl', 5],
  ['stsb', 'cnn', 'triplet', 5, { distance: 'cosine', margin: 0.5 }],
  ['stsb', 'lstm', 'cosine', 2],
  ['stsb', 'bilstm', 'cosine', 2],
  ['stsb', 'bilstm', 'cosent', 5],
  ['sick', 'meanpool', 'cosine', 4],
  ['sick', 'cnn', 'cosine', 5],
  ['sick', 'cnn', 'cosent', 5],
  ['mrpc', 'meanpool', 'contrastive', 4],
  ['mrpc', 'cnn', 'contrastive', 5],
  ['mrpc', 'cnn', 'cosine', 5],
]
  .filter((r) => !only || r.slice(0, 3).join('/').includes(only))
  .flatMap((r) => seeds.map((seed) => [...r.slice(0, 4), r[4], seed]));

const tmp = mkdtempSync(join(tmpdir(), 'siamese-quality-'));
const rows = [];
for (const [data, encoder, loss, epochs, lossOptions, seed] of runs) {
  const args = [
    cli,
    'train',
    '--train',
    join(datasets, data, 'train.tsv.gz'),
    '--dev',
    join(datasets, data, 'dev.tsv.gz'),
    '--encoder',
    encoder,
    '--loss',
    loss,
    ...(lossOptions ? ['--loss-options', JSON.stringify(lossOptions)] : []),
    '--epochs',
    String(quick ? 1 : epochs),
    '--vectors',
    vectors,
    '--patience',
    '2',
    '--seed',
    String(seed),
    '--out',
    join(tmp, `${data}-${encoder}-${loss}-${seed}`),
    '--json',
    ...(quick ? ['--max-train', '300'] : []),
  ];
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const seconds = (Date.now() - t0) / 1000;
  if (r.status !== 0) {
    rows.push({ data, encoder, loss, seed, epochs, error: `exit ${r.status}` });
    console.error(`${data} ${encoder} ${loss}: failed (exit ${r.status})`);
    continue;
  }
  const out = JSON.parse(r.stdout);
  const row = {
    data,
    encoder,
    loss,
    seed,
    epochs: out.epochs.length,
    seconds: Math.round(seconds),
    pairsPerSec: Math.round(out.timings.pairsPerSec),
    ...out.dev,
  };
  rows.push(row);
  console.error(JSON.stringify(row));
}
const f = (x) => (typeof x === 'number' ? x.toFixed(3) : '–');
console.log(
  '| data (dev) | encoder | loss | seed | epochs | Pearson | Spearman | accuracy | F1 | AP | train pairs/s | wall s |',
);
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.data} | ${r.encoder} | ${r.loss} | ${r.seed} | ${r.epochs} | ${f(r.pearson)} | ${f(r.spearman)} | ${f(r.accuracy)} | ${f(r.f1)} | ${f(r.ap)} | ${r.pairsPerSec ?? '–'} | ${r.seconds ?? r.error} |`,
  );
}
