// Pair files as the CLI reads them: streamed line by line, bad rows skipped and reported, the score range declared
// (--score-range) or inferred with a warning for outliers. Training reads its pairs from the file a batch at a
// time (an index of where each row starts), so a file of millions of rows is never held in memory.
import { Rng, SiameseError } from '@siamese/core';
import {
  type ColumnMap,
  type DatasetProblem,
  type InvalidUtf8,
  type PairRecord,
  parseDecimal,
  type ReadReport,
  streamPairs,
} from '@siamese/pairs';
import { fileChunks } from '@siamese/pairs/node';
import { usageError } from './args.js';
import { RowIndex } from './row-index.js';

/** Column names given on the command line (`--text1`, `--text2`, `--score`, `--label`). */
export interface ColumnFlags {
  text1?: string | undefined;
  text2?: string | undefined;
  score?: string | undefined;
  label?: string | undefined;
}

/** The lowest and highest scores remembered with their lines, to name outliers. */
const EXTREMES = 8;
/** Scores sampled (seeded reservoir) to find where the bulk of them lie. */
const SAMPLE = 4096;
/** A score further than this many times the bulk's width (at least 1) from the bulk is an outlier. */
const OUTLIER_SPANS = 3;

/** A score and its line. */
interface Located {
  score: number;
  line: number;
}

/** What one streaming pass over a pair file found. */
export interface PairScan {
  path: string;
  report: ReadReport;
  /** The pairs, when the file holds at most `keepUpTo` of them; null for a bigger file (see `index`). */
  pairs: PairRecord[] | null;
  /** Where every good row is in the file (with `index: true`): read them from there. */
  index: RowIndex | null;
  /** Whether every pair has a score. */
  scored: boolean;
  lowest: Located[];
  highest: Located[];
  sample: number[];
}

/** Parses `--score-range LO:HI`. */
export function parseScoreRange(value: string | undefined, command: string): [number, number] | undefined {
  if (value === undefined) return undefined;
  const [a, b, ...rest] = value.split(':');
  const lo = parseDecimal(a ?? '');
  const hi = parseDecimal(b ?? '');
  if (lo === undefined || hi === undefined || rest.length || !(lo < hi)) {
    throw usageError(`${command}: --score-range expected LO:HI with LO < HI (e.g. 0:5), found "${value}"`);
  }
  return [lo, hi];
}

/**
 * Reads a pair file in one streaming pass, yielding both texts of every good pair in file order (build the
 * vocabulary from them) and returning what it found. Bad rows are skipped and counted; the pairs are kept only if
 * there are at most `keepUpTo`; only the first `limit` pairs are taken (the rest is still read, so its bad rows
 * count). A declared `scoreRange` makes scores outside it bad rows.
 */
export async function* scanPairs(
  path: string,
  options: {
    columns: ColumnFlags;
    scoreRange?: [number, number] | undefined;
    keepUpTo: number;
    limit?: number | undefined;
    /** Index where each good row is, to read them again a batch at a time (`RowIndex`). */
    index?: boolean;
  },
): AsyncGenerator<string, PairScan> {
  const index = options.index ? await RowIndex.create(path) : null;
  const bytes = index ? index.tap(fileChunks(path)) : fileChunks(path);
  const stream = streamPairs(bytes, { source: path, ...readOptions(options.columns, options.scoreRange) });
  let pairs: PairRecord[] | null = [];
  let scored = true;
  const lowest: Located[] = [];
  const highest: Located[] = [];
  const sample: number[] = [];
  const rng = new Rng(0x5c0e);
  let seen = 0;
  let read = 0;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let next = await stream.next();
  for (; !next.done; next = await stream.next()) {
    const p = next.value;
    // past the limit the file is still read to the end, so its bad rows are counted
    if (++read > limit) {
      index?.stopAt(p.line);
      continue;
    }
    index?.add(p.line, p.score);
    yield p.text1;
    yield p.text2;
    if (pairs) {
      pairs.push(p);
      if (pairs.length > options.keepUpTo) pairs = null;
    }
    if (p.score === undefined) {
      scored = false;
      continue;
    }
    const at = { score: p.score, line: p.line };
    keepExtreme(lowest, at, (a, b) => a.score < b.score);
    keepExtreme(highest, at, (a, b) => a.score > b.score);
    // reservoir sampling (Algorithm R), seeded: the same file gives the same sample
    if (seen < SAMPLE) sample.push(p.score);
    else {
      const j = rng.int(seen + 1);
      if (j < SAMPLE) sample[j] = p.score;
    }
    seen++;
  }
  const report = next.value;
  try {
    checkMostlyValid(path, report);
  } catch (e) {
    index?.close();
    throw e;
  }
  return { path, report, pairs, index, scored: scored && seen > 0, lowest, highest, sample };
}

/** Keeps the `EXTREMES` most extreme scores, most extreme first. */
function keepExtreme(list: Located[], x: Located, before: (a: Located, b: Located) => boolean): void {
  if (list.length === EXTREMES && !before(x, list[EXTREMES - 1]!)) return;
  let i = list.length;
  while (i > 0 && before(x, list[i - 1]!)) i--;
  list.splice(i, 0, x);
  if (list.length > EXTREMES) list.pop();
}

/** A file with more bad rows than good ones is the wrong file (or the wrong delimiter or columns), not data. */
function checkMostlyValid(path: string, report: ReadReport): void {
  if (report.accepted > 0 && report.skipped <= report.accepted) return;
  throw new SiameseError(
    'E_DATASET_MOSTLY_INVALID',
    `${path}: expected rows of pairs, found ${report.accepted} good and ${report.skipped} malformed rows${firstProblems(report.problems)} (the wrong file, delimiter or columns? see --text1/--text2/--score/--label)`,
    { details: { path, accepted: report.accepted, skipped: report.skipped } },
  );
}

function firstProblems(problems: readonly DatasetProblem[], n = 3): string {
  if (!problems.length) return '';
  return `; first: ${problems
    .slice(0, n)
    .map((p) => `line ${p.line}: ${p.message.replace(/^.*?:\d+:\d+: /, '')}`)
    .join('; ')}`;
}

/** The lines of the report worth a user's attention: skipped rows and invalid UTF-8. */
export function describeReport(path: string, report: ReadReport): string[] {
  const out: string[] = [];
  if (report.skipped) {
    out.push(`skipped ${report.skipped} of ${report.rows} rows of ${path}${firstProblems(report.problems)}`);
  }
  if (report.invalidUtf8) out.push(utf8Warning(path, report.invalidUtf8));
  return out;
}

/** The warning for a file that was not valid UTF-8. */
export function utf8Warning(path: string, bad: InvalidUtf8): string {
  return `warning: ${path} is not valid UTF-8: ${bad.count} invalid byte sequence${bad.count === 1 ? '' : 's'} (first on line ${bad.line}) read as U+FFFD; save the file as UTF-8`;
}

/** The score range to scale by, and the rows whose score lies far outside the others. */
export interface ScoreRange {
  range: [number, number] | null;
  /** Outliers found among the most extreme scores (at most `EXTREMES` per side), most extreme first. */
  outliers: Located[];
}

/**
 * The integer range scores were given on (STS-B 0–5 → `[0, 5]`, already in 0–1 → `[0, 1]`), from the lowest and
 * highest score that are not outliers: a score further than 3 bulk widths from the middle 98% of a seeded sample
 * (one 1e9 among 0–5) would otherwise rescale every other score to about 0.
 */
export function inferScoreRange(scan: PairScan): ScoreRange {
  if (!scan.scored) return { range: null, outliers: [] };
  const sorted = Float64Array.from(scan.sample).sort();
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
  const width = Math.max(q(0.99) - q(0.01), 1);
  const fence = [q(0.01) - OUTLIER_SPANS * width, q(0.99) + OUTLIER_SPANS * width] as const;
  const inside = (x: Located) => x.score >= fence[0] && x.score <= fence[1];
  const outliers = [...scan.lowest.filter((x) => !inside(x)), ...scan.highest.filter((x) => !inside(x))];
  const lo = scan.lowest.find(inside)?.score ?? q(0.01);
  const hi = scan.highest.find(inside)?.score ?? q(0.99);
  if (!(hi > lo)) return { range: null, outliers };
  return { range: lo >= 0 && hi <= 1 ? [0, 1] : [Math.floor(lo), Math.ceil(hi)], outliers };
}

/** The warning for outliers: which rows, and how to declare the range instead. */
export function outlierWarning(path: string, found: ScoreRange): string | null {
  const { outliers, range } = found;
  if (!outliers.length || !range) return null;
  const rows = outliers
    .slice(0, 3)
    .map((o) => `line ${o.line}: ${o.score}`)
    .join(', ');
  const more = outliers.length >= EXTREMES ? ' and maybe more' : outliers.length > 3 ? ', …' : '';
  const n = outliers.length;
  return `warning: ${path}: ${n} score${n === 1 ? ' lies' : `s${more} lie`} far outside the others (${rows}); they are skipped and the range ${range[0]}–${range[1]} is used. Declare the range with --score-range LO:HI`;
}

/** The reader options of the CLI: columns by name, bad rows skipped (and reported), and the declared range. */
export function readOptions(columns: ColumnFlags, scoreRange: [number, number] | null | undefined) {
  const map: ColumnMap = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
  return {
    ...(Object.keys(map).length ? { columns: map } : {}),
    ...(scoreRange ? { scoreRange } : {}),
    onError: 'skip' as const,
    maxProblems: 20,
  };
}

/**
 * Reads a whole pair file into memory (a dev or eval set), bad rows skipped and reported on `err`. Without a
 * declared `scoreRange`, outliers are found as for training, reported and dropped.
 */
export async function readPairFile(
  path: string,
  options: { columns: ColumnFlags; scoreRange?: [number, number] | undefined },
  err: { write(text: string): unknown },
): Promise<PairRecord[]> {
  const it = scanPairs(path, { ...options, keepUpTo: Number.POSITIVE_INFINITY });
  let next = await it.next();
  while (!next.done) next = await it.next();
  const scan = next.value;
  for (const line of describeReport(path, scan.report)) err.write(`  ${line}\n`);
  const pairs = scan.pairs!;
  if (options.scoreRange) return pairs;
  const found = inferScoreRange(scan);
  const warning = outlierWarning(path, found);
  if (!warning) return pairs;
  err.write(`  ${warning}\n`);
  const outliers = new Set(found.outliers.map((o) => o.line));
  return pairs.filter((p) => !outliers.has(p.line));
}
