import { writeFile } from 'node:fs/promises';
import { observedScoreRange } from '@siamese/pairs';
import { initBackend, loadModel, mineHardNegatives } from '@siamese/runtime';
import { type FlagSpec, helpFor, parseArgs, usageError } from './args.js';
import { readPairFile } from './data.js';
import { readLines, scaleScores } from './io.js';

export const mineFlags: Record<string, FlagSpec> = {
  model: {
    type: 'string',
    description: 'model folder or file that ranks the candidates (from siamese train)',
  },
  data: {
    type: 'string',
    description: 'pairs (TSV/CSV/JSONL); positives are label 1 or the top fifth of the score range',
  },
  corpus: { type: 'string', description: 'one candidate text per line (default: the positives of --data)' },
  out: { type: 'string', description: 'write anchor/positive/negative TSV here (default: stdout)' },
  from: {
    type: 'integer',
    min: 0,
    description: 'skip the top N candidates, likely unlabelled positives (default 0)',
  },
  to: { type: 'integer', min: 1, description: 'consider candidates up to this rank (default 50)' },
  k: { type: 'integer', min: 1, description: 'negatives per pair (default 1)' },
  margin: { type: 'number', description: 'a negative must be this much less similar than the positive' },
  relative: { type: 'boolean', description: 'the margin is a share of the positive similarity' },
  backend: { type: 'string', choices: ['wasm', 'cpu'], description: 'tfjs backend (default wasm)' },
  help: { type: 'boolean', description: 'show this help' },
};

export const mineHelp = helpFor(
  'usage: siamese mine --model DIR --data FILE [--corpus FILE] [--from 0 --to 50 --k 1 --margin M] [--out FILE]',
  mineFlags,
);

/** `siamese mine`: hard negatives for the positive pairs of a file, as triplets (TSV with a header). */
export async function mineCommand(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, mineFlags, 'mine');
  if (flags.help) {
    console.log(mineHelp);
    return 0;
  }
  if (typeof flags.model !== 'string') throw usageError('mine: --model DIR is required');
  if (typeof flags.data !== 'string') throw usageError('mine: --data FILE is required');
  const raw = await readPairFile(flags.data, { columns: {} }, process.stderr);
  const pairs = scaleScores(raw, observedScoreRange(raw));
  const corpus = typeof flags.corpus === 'string' ? await readLines(flags.corpus, process.stderr) : undefined;
  await initBackend({ backend: (flags.backend as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
  const model = await loadModel(flags.model);
  const from = (flags.from as number | undefined) ?? 0;
  const to = (flags.to as number | undefined) ?? 50;
  if (to <= from) throw usageError(`mine: --to must be greater than --from, found ${from} and ${to}`);
  const triplets = await mineHardNegatives(model, pairs, {
    range: [from, to],
    k: (flags.k as number | undefined) ?? 1,
    ...(corpus ? { corpus } : {}),
    ...(flags.margin !== undefined ? { margin: flags.margin as number } : {}),
    ...(flags.relative ? { relative: true } : {}),
  });
  model.dispose();
  const clean = (t: string) => t.replace(/[\t\r\n]+/g, ' ');
  const tsv = `anchor\tpositive\tnegative\n${triplets.map((t) => `${clean(t.anchor)}\t${clean(t.positive)}\t${clean(t.negative)}\n`).join('')}`;
  if (typeof flags.out === 'string') await writeFile(flags.out, tsv);
  else process.stdout.write(tsv);
  const r = triplets.report;
  process.stderr.write(
    `mined ${triplets.length} triplets for ${r.mined} of ${r.pairs} positive pairs in ${r.seconds.toFixed(1)} s\n`,
  );
  return 0;
}
