import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@siamese/core';
import type { BenchSuite } from '../types.js';

/**
 * `siamese train` on a big scored file (issue 19): the CLI reads the file in one streaming pass and its batches
 * back from the file, so its peak memory must not grow with the file. Generates a seeded 2M-row TSV (20k with
 * --quick) in a temp dir, trains one epoch in a child process, and reports the child's peak RSS (VmHWM, its own
 * high-water mark) and time, next to the same run on a 1k-row file measured back to back (the reference).
 */
const cli = fileURLToPath(new URL('../../../packages/cli/bin/siamese.js', import.meta.url));

/** Writes `rows` scored pairs: 6–13 words a side from a 5000-word list (Zipf-like), scores 0–5. */
async function writeScoredFile(path: string, rows: number): Promise<void> {
  const rng = new Rng(12345);
  const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}`);
  const sentence = () =>
    Array.from({ length: 6 + rng.int(8) }, () => words[Math.floor(rng.next() ** 2 * words.length)]).join(' ');
  const out = createWriteStream(path);
  out.write('sentence1\tsentence2\tscore\n');
  for (let i = 0; i < rows; i++) {
    const line = `${sentence()}\t${sentence()}\t${(rng.next() * 5).toFixed(2)}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/** One `siamese train` run: its peak RSS (MiB) and seconds. */
function train(dir: string, file: string, hook: string) {
  const t0 = performance.now();
  const res = spawnSync(
    process.execPath,
    [
      '--import',
      hook,
      cli,
      'train',
      '--train',
      file,
      '--encoder',
      'meanpool',
      '--hidden',
      '8',
      '--batch-size',
      '256',
      '--epochs',
      '1',
      '--out',
      join(dir, 'model'),
      '--json',
    ],
    { encoding: 'utf8', cwd: dir, maxBuffer: 64 * 2 ** 20 },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 0)
    throw new Error(`siamese train ${file} failed (${res.status}):\n${res.stderr.slice(-2000)}`);
  const kb = Number(/peak-rss-kb (\d+)/.exec(res.stderr)?.[1]);
  const out = JSON.parse(res.stdout) as { timings: { pairsPerSec: number } };
  return { peakMiB: kb / 1024, seconds, pairsPerSec: out.timings.pairsPerSec };
}

const suite: BenchSuite = {
  name: 'big-file',
  description: 'siamese train on a 2M-row scored file: peak RSS (must stay under 300 MB) and time',
  async run({ quick, log }) {
    const rows = quick ? 20_000 : 2_000_000;
    const dir = mkdtempSync(join(tmpdir(), 'siamese-bench-big-'));
    try {
      const hook = join(dir, 'peak-rss.mjs');
      writeFileSync(
        hook,
        `import { readFileSync } from 'node:fs';\nprocess.on('exit', () => process.stderr.write('peak-rss-kb ' + (readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\\s+(\\d+)/)?.[1] ?? process.resourceUsage().maxRSS) + '\\n'));\n`,
      );
      await writeScoredFile(join(dir, 'small.tsv'), 1000);
      log(`big-file: writing ${rows} rows`);
      await writeScoredFile(join(dir, 'big.tsv'), rows);
      const fileMB = statSync(join(dir, 'big.tsv')).size / 1e6;
      const load = loadavg()[0]!;
      log(`big-file: training one epoch on ${fileMB.toFixed(0)} MB (load ${load.toFixed(1)})`);
      const small = train(dir, 'small.tsv', hook);
      const big = train(dir, 'big.tsv', hook);
      log(
        `big-file: peak RSS ${big.peakMiB.toFixed(0)} MiB (1k rows: ${small.peakMiB.toFixed(0)}) in ${big.seconds.toFixed(0)} s`,
      );
      return [
        {
          suite: 'big-file',
          rows,
          fileMB: Math.round(fileMB),
          peakRssMiB: Math.round(big.peakMiB),
          referencePeakRssMiB: Math.round(small.peakMiB),
          peakRatio: big.peakMiB / small.peakMiB,
          underBudget: big.peakMiB * 2 ** 20 < 300e6,
          seconds: Math.round(big.seconds),
          pairsPerSec: Math.round(big.pairsPerSec),
          loadAverage: Number(load.toFixed(1)),
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default suite;
