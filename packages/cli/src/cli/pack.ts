import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { LabelledText } from '@siamese/pairs';
import { parseRows } from '@siamese/pairs';
import {
  FewShotClassifier,
  initBackend,
  loadModel,
  packModel,
  WEIGHTS_ENCODINGS,
  type WeightsEncoding,
} from '@siamese/runtime';
import { type FlagSpec, helpFor, parseArgs, usageError } from './args.js';
import { describeReport, readPairFile } from './data.js';
import { readLines } from './io.js';

export const packFlags: Record<string, FlagSpec> = {
  out: { type: 'string', description: 'the file to write (default model.siamese)' },
  weights: {
    type: 'string',
    choices: WEIGHTS_ENCODINGS,
    description: 'weight storage: int8 (default; ~4× smaller), f16 (2×) or f32 (exact)',
  },
  'max-vocab': {
    type: 'integer',
    min: 3,
    description:
      'keep at most N tokens: corpus words by frequency, then the top vector words; the rest read as [UNK]',
  },
  references: {
    type: 'string',
    description: 'reference texts for search/match, one per line: embedded now and packed with their vectors',
  },
  calibrate: {
    type: 'string',
    description:
      'labelled pairs (a 0/1 label column): the /match threshold, calibrated on the packed weights (F1)',
  },
  examples: {
    type: 'string',
    description:
      'labelled examples for /classify (a TSV or CSV with "text" and "label" columns): embedded now and packed with their vectors',
  },
  'examples-dev': {
    type: 'string',
    description:
      'labelled dev texts (same columns): the /classify reject threshold, calibrated on the packed weights; a label no example has should be rejected',
  },
  'no-match-label': {
    type: 'string',
    description: 'the /classify answer for a rejected text (default: null)',
  },
  'classify-k': {
    type: 'integer',
    min: 1,
    description: 'examples per label that count in /classify (default 3)',
  },
  backend: { type: 'string', choices: ['wasm', 'cpu'], description: 'tfjs backend (default wasm)' },
  json: { type: 'boolean', description: 'print one JSON object with the sizes on stdout' },
  help: { type: 'boolean', description: 'show this help' },
};

export const packHelp = helpFor(
  'usage: siamese pack MODEL [--out model.siamese] [--weights int8|f16|f32] [--max-vocab N] [--references FILE]\n' +
    '                         [--calibrate LABELLED-PAIRS] [--examples LABELLED-TEXTS [--examples-dev LABELLED-TEXTS]]\n\n' +
    'Writes MODEL (a folder, file or URL from siamese train) as one checksummed file for serving: loadModel()\n' +
    'reads it from a path, a URL, bytes, or an R2/KV value in a Worker (see docs/deployment.md).',
  packFlags,
);

/** Cloudflare's Worker size limits after compression: free plan, paid plan (bytes, as Cloudflare counts them). */
export const WORKER_LIMITS = Object.freeze({ free: 3_000_000, paid: 10_000_000 });
/**
 * What the rest of a Worker that serves a model adds, gzipped: the bundled SDK and tfjs JS plus the WASM-SIMD
 * backend: 111 KB of JS + 137 KB of wasm, measured on apps/worker (docs/deployment.md).
 */
export const WORKER_RUNTIME_GZIP = 250_000;

/** The pairs of `--calibrate`: every row needs a 0/1 label (scores say how similar, not whether to match). */
async function labelledPairs(path: string) {
  const pairs = await readPairFile(path, { columns: {} }, process.stderr);
  const missing = pairs.findIndex((p) => p.label === undefined);
  if (missing !== -1) {
    throw usageError(
      `pack: --calibrate ${path}: expected a 0/1 label on every row (row ${missing + 1} has none; scored pairs cannot calibrate a match threshold)`,
    );
  }
  return pairs.map((p) => ({ text1: p.text1, text2: p.text2, label: p.label! }));
}

/**
 * The labelled texts of `--examples` / `--examples-dev`: a TSV or CSV (by extension, `.gz` too) whose header names a
 * `text` and a `label` column. Labels stay strings, as the file holds them.
 */
export async function labelledTexts(path: string, flag: string): Promise<LabelledText[]> {
  const text = (await readLines(path, process.stderr)).join('\n');
  const { rows, header, report } = parseRows(text, { source: path, onError: 'skip' });
  for (const line of describeReport(path, report)) process.stderr.write(`  ${line}\n`);
  const names = (header ?? []).map((h) => h.trim().toLowerCase());
  const [t, l] = [names.indexOf('text'), names.indexOf('label')];
  if (t === -1 || l === -1) {
    throw usageError(
      `pack: ${flag} ${path}: expected a header with "text" and "label" columns, found ${header ? JSON.stringify(header) : 'none'}`,
    );
  }
  const out = rows.map((r) => ({ text: r.fields[t]!, label: r.fields[l]!.trim() }));
  const empty = out.findIndex((r) => r.label === '');
  if (empty !== -1) throw usageError(`pack: ${flag} ${path}: row ${rows[empty]!.line} has an empty label`);
  if (!out.length) throw usageError(`pack: ${flag} ${path}: no rows`);
  return out;
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

/**
 * The warning `siamese pack` prints when a Worker bundling a model of `modelGzip` bytes (gzip) would pass a plan's
 * limit, or null.
 */
export function workerSizeWarning(modelGzip: number): string | null {
  const worker = modelGzip + WORKER_RUNTIME_GZIP;
  const limit = worker > WORKER_LIMITS.paid ? 'paid' : worker > WORKER_LIMITS.free ? 'free' : null;
  if (!limit) return null;
  return (
    `a Worker bundling this model uploads about ${kb(worker)} gzip (the model + ~${kb(WORKER_RUNTIME_GZIP)} of runtime), ` +
    `over the ${limit} plan's ${WORKER_LIMITS[limit] / 1e6} MB limit. ` +
    'Try --weights int8 and --max-vocab, or load the model from R2 at run time (docs/deployment.md).'
  );
}

/** `siamese pack`: a model → one file for the edge, with its size as a Worker would upload it. */
export async function packCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, packFlags, 'pack');
  if (flags.help) {
    console.log(packHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    throw usageError(
      `pack: expected one MODEL (a folder or file from siamese train), found ${positionals.length}`,
    );
  }
  const out = typeof flags.out === 'string' ? flags.out : 'model.siamese';
  const weights = (flags.weights as WeightsEncoding | undefined) ?? 'int8';
  const references =
    typeof flags.references === 'string' ? await readLines(flags.references, process.stderr) : undefined;
  if (references && !references.length) throw usageError(`pack: ${flags.references} has no lines`);
  const calibrate = typeof flags.calibrate === 'string' ? await labelledPairs(flags.calibrate) : undefined;
  const examples =
    typeof flags.examples === 'string' ? await labelledTexts(flags.examples, '--examples') : undefined;
  const examplesDev =
    typeof flags['examples-dev'] === 'string'
      ? await labelledTexts(flags['examples-dev'], '--examples-dev')
      : undefined;
  if (!examples && (flags['no-match-label'] !== undefined || flags['classify-k'] !== undefined)) {
    throw usageError('pack: --no-match-label and --classify-k go with --examples');
  }
  await initBackend({ backend: (flags.backend as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
  const model = await loadModel(positionals[0]!);
  if (examplesDev && !examples && !model.classifier) {
    model.dispose();
    throw usageError(`pack: --examples-dev needs --examples (${positionals[0]} has no saved classifier)`);
  }
  // --examples replaces the model's saved classifier; without it, the model's own (if any) is packed again.
  const classifier = examples
    ? await FewShotClassifier.create(model, examples, {
        ...(flags['classify-k'] !== undefined ? { k: flags['classify-k'] as number } : {}),
        ...(flags['no-match-label'] !== undefined ? { noMatchLabel: flags['no-match-label'] as string } : {}),
      })
    : undefined;
  const vocabBefore = model.tokenizer.vocabSize;
  const maxVocab = flags['max-vocab'] as number | undefined;
  const packed = await packModel(model, {
    weights,
    ...(maxVocab !== undefined ? { maxVocab } : {}),
    ...(references ? { references } : {}),
    ...(calibrate ? { calibrate } : {}),
    ...(classifier ? { classifier } : {}),
    ...(examplesDev ? { calibrateClassifier: examplesDev } : {}),
  });
  model.dispose();
  await writeFile(out, packed.bytes);
  const gzip = gzipSync(packed.bytes, { level: 9 }).byteLength;
  const worker = gzip + WORKER_RUNTIME_GZIP;
  const summary = {
    out,
    bytes: packed.bytes.byteLength,
    gzipBytes: gzip,
    weights,
    vocabulary: packed.model.tokenizer.vocabSize,
    vocabularyBefore: vocabBefore,
    references: packed.model.index?.size ?? 0,
    threshold: packed.model.threshold?.value ?? null,
    classifier: packed.model.classifier && {
      examples: packed.model.classifier.labels.length,
      labels: new Set(packed.model.classifier.labels.map(String)).size,
      threshold: packed.model.classifier.threshold ?? null,
      calibration: packed.model.classifier.calibration,
    },
    workerGzipEstimate: worker,
  };
  packed.model.dispose();
  const err = process.stderr;
  err.write(
    `siamese pack: wrote ${out}: ${kb(summary.bytes)} (${kb(gzip)} gzip), ${weights} weights, vocabulary ${summary.vocabulary}` +
      `${summary.vocabulary < vocabBefore ? ` (pruned from ${vocabBefore})` : ''}, ${summary.references} references, ` +
      `threshold ${summary.threshold === null ? 'none' : summary.threshold.toFixed(4)}` +
      (summary.classifier
        ? `, classifier of ${summary.classifier.examples} examples (${summary.classifier.labels} labels, reject under ${summary.classifier.threshold === null ? 'never' : summary.classifier.threshold.toFixed(4)})`
        : '') +
      '\n',
  );
  const warning = workerSizeWarning(gzip);
  if (warning) err.write(`warning: ${warning}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}
