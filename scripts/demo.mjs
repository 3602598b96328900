// `npm run demo`: the main job on the built-in data (datasets/): train the default model on STS-B train with
// GloVe vectors on WASM, report dev Pearson/Spearman, save the model, then answer similarity and search queries.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'packages/cli/dist/cli.js');
if (!existsSync(cli)) {
  console.error('npm run demo: building the packages first (npm run build) …');
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const out = join(root, 'demo-model');
const data = join(root, 'datasets');
const run = (args, opts = {}) => {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(`demo: siamese ${args[0]} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
  return r.stdout;
};

console.log('== siamese demo: STS-B, GloVe 50d, WASM ==\n');
const t0 = Date.now();
run([
  'train',
  '--train',
  join(data, 'stsb/train.tsv.gz'),
  '--dev',
  join(data, 'stsb/dev.tsv.gz'),
  '--vectors',
  join(data, 'glove/glove.6B.50d.10k.txt.gz'),
  // No --encoder / --loss: the default recipe (CNN + CoSENT, docs/quality.md).
  ...['--epochs', '5', '--batch-size', '32', '--lr', '0.001', '--patience', '2'],
  '--out',
  out,
]);
console.log(`\ntrained in ${((Date.now() - t0) / 1000).toFixed(1)} s; model in ${out}/\n`);

const pairs = [
  ['A man is playing a guitar.', 'A person plays the guitar.'],
  ['A man is playing a guitar.', 'A woman is slicing an onion.'],
  ['The cat sits on the mat.', 'A cat is sitting on a rug.'],
];
console.log('similarity:');
for (const [a, b] of pairs) {
  const s = run(['similarity', '--model', out, a, b], { capture: true }).trim();
  console.log(`  ${s}  "${a}" ~ "${b}"`);
}
const corpus = [
  'A man is playing the flute.',
  'A woman is cutting vegetables.',
  'Two dogs are running through a field.',
  'A child is riding a bicycle.',
  'The stock market fell sharply today.',
  'A man plays an acoustic guitar on stage.',
  'Someone is frying eggs in a pan.',
];
mkdirSync(join(out, 'examples'), { recursive: true });
const corpusFile = join(out, 'examples', 'corpus.txt');
writeFileSync(corpusFile, `${corpus.join('\n')}\n`);
for (const q of ['A guy strums his guitar.', 'A dog runs across the grass.']) {
  console.log(`\nsearch: "${q}"`);
  process.stdout.write(
    run(['search', '--model', out, '--corpus', corpusFile, '--k', '3', q], { capture: true }),
  );
}
console.log(`\ndemo finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
