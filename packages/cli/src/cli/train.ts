import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { now, SiameseError } from '@siamese/core';
import { PRESETS, type PresetName } from '@siamese/encoders';
import { type Loss, type LossConfig, lossFromConfig, registeredLosses } from '@siamese/losses';
import type { PairRecord } from '@siamese/pairs';
import { fileChunks } from '@siamese/pairs/node';
import {
  calibrateThreshold,
  createModel,
  DEFAULT_RECIPE,
  type EpochEvent,
  type EvaluationMetrics,
  type ExampleSource,
  evaluate,
  type FitResult,
  fit,
  folderCheckpoints,
  initBackend,
  registeredSamplers,
  saveModel,
  WEIGHTS_ENCODINGS,
  type WeightsEncoding,
} from '@siamese/runtime';
import { parseVectors, Tokenizer } from '@siamese/tokenizer';
import { type FlagSpec, helpFor, parseArgs, usageError } from './args.js';
import { sparkline, trainingSvg } from './chart.js';
import {
  type ColumnFlags,
  describeReport,
  inferScoreRange,
  outlierWarning,
  type PairScan,
  parseScoreRange,
  readOptions,
  readPairFile,
  scanPairs,
} from './data.js';
import { scaleScores } from './io.js';
import { formatDuration, ProgressBar } from './progress.js';

export const trainFlags: Record<string, FlagSpec> = {
  train: { type: 'string', description: 'training pairs (TSV/CSV/JSONL with a header; .gz too)' },
  dev: { type: 'string', description: 'dev pairs, evaluated after every epoch' },
  encoder: {
    type: 'string',
    choices: Object.keys(PRESETS),
    description: `encoder preset (default ${DEFAULT_RECIPE.preset}; see docs/encoders.md)`,
  },
  loss: {
    type: 'string',
    choices: registeredLosses(),
    description: `loss, any registered type or short name (default ${DEFAULT_RECIPE.loss})`,
  },
  'loss-options': {
    type: 'string',
    description: 'loss options as JSON, e.g. \'{"distance":"cosine","margin":0.5}\'',
  },
  vectors: { type: 'string', description: 'pretrained word vectors (GloVe / word2vec / fastText .vec)' },
  epochs: { type: 'integer', min: 1, description: 'epochs (default 5)' },
  'batch-size': { type: 'integer', min: 1, description: 'pairs per batch (default 32)' },
  lr: { type: 'number', min: 0, description: 'learning rate (default 1e-3)' },
  accumulate: {
    type: 'integer',
    min: 1,
    description: 'micro-batches per optimizer step: --batch-size 16 --accumulate 4 steps like 64 (default 1)',
  },
  sampler: {
    type: 'string',
    choices: registeredSamplers(),
    description:
      'how pairs are grouped into batches (default: random, noDuplicates for in-batch losses, mPerClass for batch-mining ones); any other than random reads the pairs into memory',
  },
  workers: {
    type: 'integer',
    min: 1,
    description:
      'threads training in parallel, the calling one included (default 1: see docs/performance.md before raising it)',
  },
  seed: { type: 'integer', description: 'random seed (default 42)' },
  backend: { type: 'string', choices: ['wasm', 'cpu'], description: 'tfjs backend (default wasm)' },
  out: { type: 'string', description: 'output folder (default ./siamese-model)' },
  text1: { type: 'string', description: 'column name of the first text' },
  text2: { type: 'string', description: 'column name of the second text' },
  score: { type: 'string', description: 'column name of the score' },
  label: { type: 'string', description: 'column name of the binary label' },
  'score-range': {
    type: 'string',
    description:
      'the range scores are given on, LO:HI (e.g. 0:5); rows outside it are skipped. Default: inferred, with a warning for outliers',
  },
  hidden: { type: 'integer', min: 1, description: 'hidden size / filters (default 128)' },
  'max-length': { type: 'integer', min: 1, description: 'max tokens per text (default 64)' },
  patience: {
    type: 'integer',
    min: 1,
    description: 'stop after N epochs without a better dev metric; the best epoch is kept (default off)',
  },
  'max-train': { type: 'integer', min: 1, description: 'use only the first N training pairs' },
  'max-vocab': {
    type: 'integer',
    min: 3,
    description: 'vocabulary cap: corpus words by frequency, then the top vector words (default 100000)',
  },
  weights: {
    type: 'string',
    choices: WEIGHTS_ENCODINGS,
    description: 'how the saved weights are stored: f32 (default, exact), f16 or int8 (see siamese pack)',
  },
  json: { type: 'boolean', description: 'print one JSON object with the final metrics on stdout' },
  help: { type: 'boolean', description: 'show this help' },
};

export const trainHelp = helpFor('usage: siamese train --train FILE [--dev FILE] [options]', trainFlags);

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The loss config of `--loss` and `--loss-options`. */
function lossConfigOf(flags: Flags): LossConfig {
  const type = str(flags.loss) ?? DEFAULT_RECIPE.loss;
  const raw = str(flags['loss-options']);
  let options: unknown = {};
  if (raw !== undefined) {
    try {
      options = JSON.parse(raw);
    } catch (e) {
      throw usageError(
        `train: --loss-options expected a JSON object, found ${JSON.stringify(raw)}: ${(e as Error).message}`,
      );
    }
    if (!options || typeof options !== 'object' || Array.isArray(options)) {
      throw usageError(`train: --loss-options expected a JSON object, found ${JSON.stringify(raw)}`);
    }
  }
  return { ...(options as Record<string, unknown>), type };
}

type Flags = Record<string, string | number | boolean>;

/**
 * The training pairs and the dev set. The training file is read in one streaming pass that also builds the
 * vocabulary. For a loss that scores each pair on its own (the default), the pass indexes where each row is and
 * `fit` reads its batches back from the file, so no file is too big; in-batch and triplet losses sample from the
 * whole set and get the pairs in memory. Scores are scaled to [0, 1] from the declared or inferred range; bad rows
 * are skipped and reported, and so are outliers and invalid UTF-8.
 */
async function readData(flags: Flags, trainPath: string, loss: Loss, err: NodeJS.WriteStream) {
  const columns: ColumnFlags = {
    text1: str(flags.text1),
    text2: str(flags.text2),
    score: str(flags.score),
    label: str(flags.label),
  };
  const declared = parseScoreRange(str(flags['score-range']), 'train');
  // A sampler other than random groups pairs by their texts: it needs them in memory.
  const sampler = str(flags.sampler);
  const fromFile =
    (loss.batchKind === 'scored-pairs' || loss.batchKind === 'labelled-pairs') &&
    (sampler === undefined || sampler === 'random');
  let scan: PairScan | undefined;
  const texts = (async function* () {
    scan = yield* scanPairs(trainPath, {
      columns,
      scoreRange: declared,
      keepUpTo: fromFile ? 0 : Number.POSITIVE_INFINITY,
      limit: num(flags['max-train']),
      index: fromFile,
    });
  })();
  // the vocabulary as createModel builds it from texts, in the same pass
  const tokenizer = await Tokenizer.buildAsync(texts, {
    minFreq: 1,
    maxSize: num(flags['max-vocab']) ?? 100_000,
  });
  const read = scan!;
  for (const line of describeReport(trainPath, read.report)) err.write(`  ${line}\n`);
  const scores = declared ? { range: declared, outliers: [] } : inferScoreRange(read);
  const warning = outlierWarning(trainPath, scores);
  if (warning) err.write(`  ${warning}\n`);
  const range = read.scored ? scores.range : null;
  const inRange = (p: PairRecord) =>
    !range || p.score === undefined || (p.score >= range[0] && p.score <= range[1]);
  const train: readonly PairRecord[] | ExampleSource = read.index
    ? read.index.source(readOptions(columns, range), range)
    : scaleScores(read.pairs!.filter(inRange), range);
  const count = 'size' in train ? train.size : train.length;
  const devPath = str(flags.dev);
  const dev = devPath
    ? scaleScores(
        (await readPairFile(devPath, { columns, scoreRange: range ?? undefined }, err)).filter(inRange),
        range,
      )
    : undefined;
  // Scored dev pairs are measured by correlation; labelled ones (or mixed) by accuracy/F1, which also gives the
  // model its match threshold.
  const devScored = dev?.every((p) => p.score !== undefined)
    ? dev.map((p) => ({ text1: p.text1, text2: p.text2, score: p.score! }))
    : undefined;
  const devLabelled =
    dev && !devScored
      ? dev.map((p) => ({ text1: p.text1, text2: p.text2, label: p.label ?? (p.score! >= 0.5 ? 1 : 0) }))
      : undefined;
  return {
    train,
    count,
    index: read.index,
    tokenizer,
    range,
    devPath,
    devScored,
    devLabelled,
    dev: devScored ?? devLabelled,
  };
}

/** Word vectors from `--vectors`, bad lines skipped and counted. */
async function readVectors(flags: Flags, err: NodeJS.WriteStream) {
  const path = str(flags.vectors);
  if (!path) return undefined;
  const vectors = await parseVectors(fileChunks(path), { onError: 'skip' });
  const first = vectors.problems[0];
  const firstProblem = first ? `; first: line ${first.line}: ${first.message}` : '';
  if (vectors.words.length === 0 || vectors.skipped > vectors.words.length) {
    throw new SiameseError(
      'E_VECTORS_PARSE',
      `${path}: expected a text vector file (GloVe, word2vec or fastText .vec), found ${vectors.words.length} good and ${vectors.skipped} malformed lines${firstProblem}`,
      { details: { path, good: vectors.words.length, skipped: vectors.skipped } },
    );
  }
  err.write(
    `  vectors: ${vectors.words.length} × ${vectors.dim} from ${path}${vectors.skipped ? ` (${vectors.skipped} bad lines skipped${firstProblem})` : ''}\n`,
  );
  return vectors;
}

/** The per-epoch table, the sparklines and the final dev metrics, on stderr. */
function printSummary(
  err: NodeJS.WriteStream,
  result: FitResult,
  devMetrics: EvaluationMetrics | undefined,
  out: string,
  seconds: number,
): void {
  const points = result.history;
  err.write(`\n  loss  ${sparkline(points.map((p) => p.loss))}\n`);
  if (devMetrics) err.write(`  dev   ${sparkline(points.map((p) => p.metric ?? Number.NaN))}\n`);
  err.write(
    `\n  ${'epoch'.padEnd(6)}${'loss'.padStart(10)}${devMetrics ? 'dev'.padStart(10) : ''}${'time'.padStart(8)}\n`,
  );
  for (const h of result.history) {
    err.write(
      `  ${String(h.epoch).padEnd(6)}${h.loss.toFixed(4).padStart(10)}${h.metric !== undefined ? h.metric.toFixed(4).padStart(10) : ''}${formatDuration(h.seconds).padStart(8)}\n`,
    );
  }
  if (devMetrics)
    err.write(
      `\n  dev: ${Object.entries(devMetrics)
        .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : v}`)
        .join(', ')}\n`,
    );
  err.write(`  saved to ${out}/ (model.json, weights, training.svg) in ${formatDuration(seconds)}\n`);
}

/** `siamese train`: data → model → training with progress → dev metrics → saved model + chart. */
export async function trainCommand(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, trainFlags, 'train');
  if (flags.help) {
    console.log(trainHelp);
    return 0;
  }
  const trainPath = str(flags.train);
  if (!trainPath) throw usageError('train: --train FILE is required');
  const out = str(flags.out) ?? 'siamese-model';
  const t0 = now();
  const err = process.stderr;
  const loss = lossFromConfig(lossConfigOf(flags)); // a bad option fails before any data is read
  const seed = num(flags.seed) ?? 42;
  const data = await readData(flags, trainPath, loss, err);
  const backend = await initBackend({ backend: (str(flags.backend) as 'wasm' | 'cpu') ?? 'wasm' });
  const preset = (str(flags.encoder) ?? DEFAULT_RECIPE.preset) as PresetName;
  const range = data.range;
  err.write(
    `siamese train: ${data.count} pairs from ${trainPath}${data.index ? ' (read from the file batch by batch)' : ''}${range ? ` (scores ${range[0]}–${range[1]} → 0–1)` : ''}${data.dev ? `, dev ${data.dev.length} from ${data.devPath}` : ''}\n` +
      `  encoder ${preset}, loss ${loss.type}, backend ${backend.name}, seed ${seed}${str(flags.sampler) ? `, sampler ${str(flags.sampler)}` : ''}${num(flags.accumulate) ? `, ${num(flags.accumulate)} micro-batches per step` : ''}\n`,
  );
  const vectors = await readVectors(flags, err);
  const model = createModel({
    preset,
    tokenizer: data.tokenizer,
    ...(vectors ? { vectors } : {}),
    ...(num(flags.hidden) ? { hidden: num(flags.hidden)! } : {}),
    ...(num(flags['max-length']) ? { maxLength: num(flags['max-length'])! } : {}),
    ...(num(flags['max-vocab']) ? { maxVocab: num(flags['max-vocab'])! } : {}),
    seed,
    onInfo: (m) => err.write(`  ${m}\n`),
  });
  const bar = new ProgressBar(err);
  const epochs = num(flags.epochs) ?? 5;
  const result = await fit(model, data.train, {
    loss,
    epochs,
    batchSize: num(flags['batch-size']) ?? 32,
    lr: num(flags.lr) ?? 1e-3,
    seed,
    ...(num(flags.workers) !== undefined ? { workers: num(flags.workers)! } : {}),
    ...(num(flags.accumulate) !== undefined ? { accumulate: num(flags.accumulate)! } : {}),
    ...(str(flags.sampler) !== undefined ? { sampler: str(flags.sampler)! } : {}),
    ...(data.dev ? { dev: data.dev } : {}),
    ...(num(flags.patience) !== undefined ? { patience: num(flags.patience)! } : {}),
    checkpoints: folderCheckpoints(join(out, 'checkpoints')),
    onInfo: (m) => err.write(`  ${m}\n`),
    onBatch: (e) => bar.update(e),
    onEpoch: (e: EpochEvent) =>
      bar.finish(
        `epoch ${e.epoch}/${epochs}  loss ${e.loss.toFixed(4)}${e.metric !== undefined ? `  dev ${e.metric.toFixed(4)}${e.improved ? ' *' : ''}` : ''}  ${formatDuration(e.seconds)}  ${Math.round(e.pairsPerSec)} pairs/s`,
      ),
  }).finally(() => data.index?.close());
  const devMetrics = data.dev ? await evaluate(model, data.dev) : undefined;
  if (data.devLabelled) await calibrateThreshold(model, data.devLabelled, 'f1');
  await saveModel(model, out, { weights: (str(flags.weights) as WeightsEncoding | undefined) ?? 'f32' });
  // The run finished: its checkpoints are only needed to resume an interrupted run.
  await rm(join(out, 'checkpoints'), { recursive: true, force: true });
  const points = result.history.map((h) => ({
    epoch: h.epoch,
    loss: h.loss,
    ...(h.metric !== undefined ? { metric: h.metric } : {}),
  }));
  await writeFile(
    join(out, 'training.svg'),
    trainingSvg(points, `siamese ${preset} · ${loss.type}`, data.dev ? 'dev metric' : undefined),
  );
  const seconds = (now() - t0) / 1000;
  printSummary(err, result, devMetrics, out, seconds);
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({
        model: out,
        encoder: preset,
        loss: loss.type,
        backend: backend.name,
        dev: devMetrics ?? null,
        epochs: result.history.map((h) => ({
          epoch: h.epoch,
          loss: h.loss,
          metric: h.metric ?? null,
          seconds: h.seconds,
        })),
        timings: { totalSeconds: seconds, trainSeconds: result.seconds, pairsPerSec: result.pairsPerSec },
      })}\n`,
    );
  }
  model.dispose();
  return 0;
}
