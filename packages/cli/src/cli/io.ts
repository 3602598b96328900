import { SiameseError } from '@siamese/core';
import { type ColumnMap, normalizeScores, type PairRecord } from '@siamese/pairs';
import { fileChunks, readPairsFile } from '@siamese/pairs/node';

/** Column names given on the command line (`--text1`, `--text2`, `--score`, `--label`). */
export interface ColumnFlags {
  text1?: string | undefined;
  text2?: string | undefined;
  score?: string | undefined;
  label?: string | undefined;
}

/** Reads a pair file (TSV/CSV/JSONL, `.gz` too; columns found from the header unless named); errors name file and line. */
export async function readPairs(path: string, cols: ColumnFlags = {}): Promise<PairRecord[]> {
  const columns: ColumnMap = Object.fromEntries(Object.entries(cols).filter(([, v]) => v !== undefined));
  const { pairs } = await readPairsFile(path, Object.keys(columns).length ? { columns } : {});
  if (!pairs.length) throw new SiameseError('E_USAGE', `${path}: no data rows`);
  return pairs;
}

/**
 * Scores scaled to [0, 1] from the integer range they were given on in `reference` (STS-B 0–5, SICK 1–5), so
 * the cosine loss can use them; the same range applies to the dev set. Labels pass unchanged.
 */
export function scaleScores<P extends PairRecord>(pairs: readonly P[], range: [number, number] | null): P[] {
  return range ? normalizeScores(pairs, { from: range }) : [...pairs];
}

/** Reads non-empty lines of a text file (`.gz` too), or of stdin for `-`. */
export async function readLines(path: string): Promise<string[]> {
  const chunks = path === '-' ? (process.stdin as AsyncIterable<Uint8Array>) : fileChunks(path);
  const decoder = new TextDecoder();
  let text = '';
  for await (const c of chunks) text += decoder.decode(c, { stream: true });
  text += decoder.decode();
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}
