import { normalizeScores, type PairRecord, Utf8Check } from '@siamese/pairs';
import { fileChunks } from '@siamese/pairs/node';
import { utf8Warning } from './data.js';

/**
 * Scores scaled to [0, 1] from the integer range they were given on in `reference` (STS-B 0–5, SICK 1–5), so
 * the cosine loss can use them; the same range applies to the dev set. Labels pass unchanged.
 */
export function scaleScores<P extends PairRecord>(pairs: readonly P[], range: [number, number] | null): P[] {
  return range ? normalizeScores(pairs, { from: range }) : [...pairs];
}

/** Reads non-empty lines of a text file (`.gz` too), or of stdin for `-`; invalid UTF-8 is a warning on `err`. */
export async function readLines(path: string, err: { write(text: string): unknown }): Promise<string[]> {
  const chunks = path === '-' ? (process.stdin as AsyncIterable<Uint8Array>) : fileChunks(path);
  const decoder = new TextDecoder();
  const utf8 = new Utf8Check();
  let text = '';
  for await (const c of chunks) {
    utf8.push(c);
    text += decoder.decode(c, { stream: true });
  }
  text += decoder.decode();
  const bad = utf8.end();
  if (bad) err.write(`  ${utf8Warning(path === '-' ? 'stdin' : path, bad)}\n`);
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}
