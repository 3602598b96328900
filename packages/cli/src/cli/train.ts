import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createModel,
  type EpochEvent,
  fit,
  folderCheckpoints,
  initBackend,
  type LossName,
  lossForName,
  saveModel,
} from '@siamese/runtime';
import { parseVectors } from '@siamese/tokenizer';
import { type FlagSpec, helpFor, parseArgs, UsageError } from './args.js';
import { sparkline, trainingSvg } from './chart.js';
import { fileChunks, normalizePairs, readPairs, scoreScale } from './io.js';
import { formatDuration, ProgressBar } from './progress.js';

export const trainFlags: Record<string, FlagSpec> = {
  train: { type: 'string', description: 'training pairs (TSV/CSV/JSONL with a header)' },
  dev: { type: 'string', description: 'dev pairs, evaluated after every epoch' },
  encoder: {
    type: 'string',
    choices: ['lstm', 'bilstm', 'cnn', 'meanpool'],
    description: 'encoder preset (default bilstm)',
  },
  loss: {
    type: 'string',
    choices: ['cosine', 'contrastive', 'triplet', 'mnrl', 'cosent'],
    description: 'loss (default cosine)',
  },
  vectors: { type: 'string', description: 'pretrained word vectors (GloVe / word2vec / fastText .vec)' },
  epochs: { type: 'integer', min: 1, description: 'epochs (default 5)' },
  'batch-size': { type: 'integer', min: 1, description: 'pairs per batch (default 32)' },
  lr: { type: 'number', min: 0, description: 'learning rate (default 1e-3)' },
  seed: { type: 'integer', description: 'random seed (default 42)' },
  backend: { type: 'string', choices: ['wasm', 'cpu'], description: 'tfjs backend (default wasm)' },
  out: { type: 'string', description: 'output folder (default ./siamese-model)' },
  text1: { type: 'string', description: 'column name of the first text' },
  text2: { type: 'string', description: 'column name of the second text' },
  score: { type: 'string', description: 'column name of the score' },
  label: { type: 'string', description: 'column name of the binary label' },
  hidden: { type: 'integer', min: 1, description: 'hidden size / filters (default 128)' },
  'max-length': { type: 'integer', min: 1, description: 'max tokens per text (default 64)' },
  patience: {
    type: 'integer',
    min: 1,
    description: 'stop after N epochs without a better dev metric; the best epoch is kept (default off)',
  },
  'max-train': { type: 'integer', min: 1, description: 'use only the first N training pairs' },
  json: { type: 'boolean', description: 'print one JSON object with the final metrics on stdout' },
  help: { type: 'boolean', description: 'show this help' },
};

export const trainHelp = helpFor('usage: siamese train --train FILE [--dev FILE] [options]', trainFlags);

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** `siamese train`: data → model → training with progress → dev metrics → saved model + chart. */
export async function trainCommand(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, trainFlags, 'train');
  if (flags.help) {
    console.log(trainHelp);
    return 0;
  }
  const trainPath = str(flags.train);
  if (!trainPath) throw new UsageError('train: --train FILE is required');
  const out = str(flags.out) ?? 'siamese-model';
  const cols = {
    text1: str(flags.text1),
    text2: str(flags.text2),
    score: str(flags.score),
    label: str(flags.label),
  };
  const t0 = performance.now();
  const err = process.stderr;
  let train = await readPairs(trainPath, cols);
  if (num(flags['max-train'])) train = train.slice(0, num(flags['max-train']));
  const scale = scoreScale(train);
  const trainN = normalizePairs(train, scale);
  const devPath = str(flags.dev);
  const dev = devPath ? normalizePairs(await readPairs(devPath, cols), scale) : undefined;
  const backend = await initBackend({ backend: (str(flags.backend) as 'wasm' | 'cpu') ?? 'wasm' });
  const preset = (str(flags.encoder) ?? 'bilstm') as 'lstm' | 'bilstm' | 'cnn' | 'meanpool';
  const lossName = (str(flags.loss) ?? 'cosine') as LossName;
  const seed = num(flags.seed) ?? 42;
  err.write(
    `siamese train: ${train.length} pairs from ${trainPath}${scale ? ` (scores ${scale.lo}–${scale.hi} → 0–1)` : ''}${dev ? `, dev ${dev.length} from ${devPath}` : ''}\n` +
      `  encoder ${preset}, loss ${lossName}, backend ${backend.name}, seed ${seed}\n`,
  );
  const vectorsPath = str(flags.vectors);
  const vectors = vectorsPath ? await parseVectors(fileChunks(vectorsPath), { onError: 'skip' }) : undefined;
  if (vectors)
    err.write(
      `  vectors: ${vectors.words.length} × ${vectors.dim} from ${vectorsPath}${vectors.skipped ? ` (${vectors.skipped} bad lines skipped)` : ''}\n`,
    );
  const model = createModel({
    preset,
    texts: trainN.flatMap((p) => [p.text1, p.text2]),
    ...(vectors ? { vectors } : {}),
    ...(num(flags.hidden) ? { hidden: num(flags.hidden)! } : {}),
    ...(num(flags['max-length']) ? { maxLength: num(flags['max-length'])! } : {}),
    seed,
    onInfo: (m) => err.write(`  ${m}\n`),
  });
  const loss = lossForName(lossName);
  const bar = new ProgressBar(err);
  const devData = dev?.every((p) => p.score !== undefined)
    ? dev.map((p) => ({ text1: p.text1, text2: p.text2, score: p.score! }))
    : dev?.map((p) => ({ text1: p.text1, text2: p.text2, label: p.label ?? (p.score! >= 0.5 ? 1 : 0) }));
  const epochs = num(flags.epochs) ?? 5;
  const result = await fit(model, trainN, {
    loss,
    epochs,
    batchSize: num(flags['batch-size']) ?? 32,
    lr: num(flags.lr) ?? 1e-3,
    seed,
    ...(devData ? { dev: devData } : {}),
    ...(num(flags.patience) !== undefined ? { patience: num(flags.patience)! } : {}),
    checkpoints: folderCheckpoints(join(out, 'checkpoints')),
    onInfo: (m) => err.write(`  ${m}\n`),
    onBatch: (e) => bar.update(e),
    onEpoch: (e: EpochEvent) =>
      bar.finish(
        `epoch ${e.epoch}/${epochs}  loss ${e.loss.toFixed(4)}${e.metric !== undefined ? `  dev ${e.metric.toFixed(4)}${e.improved ? ' *' : ''}` : ''}  ${formatDuration(e.seconds)}  ${Math.round(e.pairsPerSec)} pairs/s`,
      ),
  });
  const devMetrics = devData ? await model.evaluate(devData) : undefined;
  if (devData && 'label' in devData[0]!) await model.calibrateThreshold(devData as never, 'f1');
  model.training = {
    epochs: result.history,
    best: result.best,
    seconds: result.seconds,
    pairsPerSec: result.pairsPerSec,
    trainFile: trainPath,
  };
  await saveModel(model, out);
  // The run finished: its checkpoints are only needed to resume an interrupted run.
  await rm(join(out, 'checkpoints'), { recursive: true, force: true });
  const points = result.history.map((h) => ({
    epoch: h.epoch,
    loss: h.loss,
    ...(h.metric !== undefined ? { metric: h.metric } : {}),
  }));
  await writeFile(
    join(out, 'training.svg'),
    trainingSvg(points, `siamese ${preset} · ${lossName}`, devData ? 'dev metric' : undefined),
  );
  const seconds = (performance.now() - t0) / 1000;
  err.write(`\n  loss  ${sparkline(points.map((p) => p.loss))}\n`);
  if (devData) err.write(`  dev   ${sparkline(points.map((p) => p.metric ?? Number.NaN))}\n`);
  err.write(
    `\n  ${'epoch'.padEnd(6)}${'loss'.padStart(10)}${devData ? 'dev'.padStart(10) : ''}${'time'.padStart(8)}\n`,
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
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({
        model: out,
        encoder: preset,
        loss: lossName,
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
