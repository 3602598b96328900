import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { readPairs as readPairsFrom } from '@siamese/pairs';
import { UsageError } from './args.js';

/** A pair as the CLI feeds it to the model. */
export interface CliPair {
  text1: string;
  text2: string;
  score?: number;
  label?: number;
}

/** Column names given on the command line (`--text1`, `--text2`, `--score`, `--label`). */
export interface ColumnFlags {
  text1?: string;
  text2?: string;
  score?: string;
  label?: string;
}

/** Reads a pair file (TSV/CSV/JSONL; columns auto-detected unless named); errors name the file and line. */
export async function readPairs(path: string, cols: ColumnFlags = {}): Promise<CliPair[]> {
  const columns =
    cols.text1 || cols.text2 || cols.score || cols.label
      ? {
          ...(cols.text1 ? { text1: cols.text1 } : {}),
          ...(cols.text2 ? { text2: cols.text2 } : {}),
          ...(cols.score ? { score: cols.score } : {}),
          ...(cols.label ? { label: cols.label } : {}),
        }
      : undefined;
  const { pairs } = await readPairsFrom(fileChunks(path), {
    source: path,
    format: formatOf(path),
    ...(columns ? { columns } : {}),
  });
  if (!pairs.length) throw new UsageError(`${path}: no data rows`);
  return pairs.map(({ line: _l, ...p }) => p);
}

/** Byte chunks of a file, gunzipped on the fly when it ends in `.gz`. */
export function fileChunks(path: string): AsyncIterable<Uint8Array> {
  const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
  return path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

/** Data format from the file name (ignoring a trailing `.gz`). */
export function formatOf(path: string): 'tsv' | 'csv' | 'jsonl' {
  const p = path.replace(/\.gz$/, '');
  return p.endsWith('.csv') ? 'csv' : /\.(jsonl|ndjson)$/.test(p) ? 'jsonl' : 'tsv';
}

/** Scales scores to [0, 1] from the integer range they were observed in (STS-B 0–5, SICK 1–5); labels pass. */
export function scoreScale(pairs: readonly CliPair[]): { lo: number; hi: number } | null {
  const scores = pairs.map((p) => p.score).filter((s): s is number => s !== undefined);
  if (scores.length !== pairs.length) return null;
  let lo = Math.floor(Math.min(...scores));
  let hi = Math.ceil(Math.max(...scores));
  if (lo >= 0 && hi <= 1) {
    lo = 0;
    hi = 1;
  }
  return hi > lo ? { lo, hi } : null;
}

export function normalizePairs(
  pairs: readonly CliPair[],
  scale: { lo: number; hi: number } | null,
): CliPair[] {
  if (!scale) return [...pairs];
  return pairs.map((p) =>
    p.score === undefined ? p : { ...p, score: (p.score - scale.lo) / (scale.hi - scale.lo) },
  );
}

/** Reads non-empty lines of a text file, or of stdin for `-`. */
export async function readLines(path: string): Promise<string[]> {
  const text =
    path === '-'
      ? await readStdin()
      : path.endsWith('.gz')
        ? gunzipSync(await readFile(path)).toString('utf8')
        : await readFile(path, 'utf8');
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
