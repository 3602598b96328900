/**
 * The `workers` rows of the encoders suite: `fit` and `embedMatrix` on 1 and 2 worker threads (and `nproc`),
 * interleaved with the PyTorch reference (scripts/torch_encoders.py, 2 threads) round by round, so every ratio
 * compares figures measured back to back; each ratio is the median of the per-round ratios.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { lossFromConfig } from '@siamese/losses';
import { fit, initBackend, SiameseModel } from '@siamese/runtime';
import { Tokenizer, Vocabulary } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { referenceEncoder } from '../scripts/reference-encoder.mjs';
import { median, round } from './measure.js';
import type { BenchRow } from './types.js';

export interface WorkerSizes {
  vocab: number;
  dim: number;
  /** Pairs per batch. */
  pairs: number;
  /** Optimisation steps per round; the first half warms up, the median of the second half is reported. */
  steps: number;
  /** Sentences embedded per round. */
  sentences: number;
  inferBatch: number;
  T: number;
  rounds: number;
}

/** Sentence lengths of the suite: 5 + (b·7) mod (T − 4). */
const lengthOf = (b: number, T: number) => 5 + ((b * 7) % (T - 4));

/** Mean tokens per sentence under {@link lengthOf}. */
export function meanLength(T: number): number {
  let sum = 0;
  for (let b = 0; b < 1000 * (T - 4); b++) sum += lengthOf(b, T);
  return sum / (1000 * (T - 4));
}

/**
 * FLOPs of one forward pass over one sentence (multiply and add counted as 2; the matmuls, not the
 * element-wise work): LSTM 8·H·(E+H) per token (four gates over [x, h]), BiLSTM twice that, CNN of width k
 * 2·k·E·F per token, mean pooling E per token. A training step costs about 3× its forward pass (forward, the
 * gradient of the inputs and of the weights).
 */
export function forwardFlopsPerSentence(name: string, dim: number, T: number): number {
  const L = meanLength(T);
  const E = dim;
  const H = dim;
  if (name === 'lstm') return L * 8 * H * (E + H);
  if (name === 'bilstm') return 2 * L * 8 * H * (E + H);
  if (name === 'cnn') return L * 2 * 3 * E * H;
  return L * E;
}

/** Deterministic texts of ids `w2…w{V−1}` with the suite's lengths (the tokenizer maps `wK` to id K). */
function texts(n: number, s: WorkerSizes, salt: number): string[] {
  let x = 12345 + salt;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  return Array.from({ length: n }, (_, b) =>
    Array.from({ length: lengthOf(b, s.T) }, () => `w${2 + (next() % (s.vocab - 2))}`).join(' '),
  );
}

function model(name: string, s: WorkerSizes): SiameseModel {
  const tokens = ['[PAD]', '[UNK]', ...Array.from({ length: s.vocab - 2 }, (_, i) => `w${i + 2}`)];
  const tokenizer = new Tokenizer(Vocabulary.fromTokens(tokens));
  return new SiameseModel({ tokenizer, encoder: referenceEncoder(name, s.vocab, s.dim), maxLength: s.T });
}

const CHILD = 'SIAMESE_BENCH_WORKERS_CHILD';

interface Ours {
  /** Steady-state training: pairs/s of the median step of the second half of the run ({@link warmSteps}). */
  train: number;
  /** Steady-state inference: sentences/s of the median of {@link EMBED_CALLS} calls on warm threads. */
  infer: number;
  /** Cold: starting the threads and loading the model into them (0 on one thread). */
  startMs: number;
  /** What `fit` itself reports (every step, the first ones included; thread start-up excluded). */
  fitPairsPerSec: number;
  /** Peak resident memory of the process above its level once the backend was ready (all threads). */
  peakMB: number;
}

/**
 * Steps excluded from the steady-state figure: the first half. A new thread's JavaScript and WASM are still
 * being optimised, by compiler threads that compete with the two busy ones for the cores: with 2 workers the
 * step keeps falling for about 100 steps (LSTM 70, 57, 51, 51 ms in the quarters of 120 steps; one thread 59,
 * 57, 56, 55).
 */
const warmSteps = (s: WorkerSizes) => Math.floor(s.steps / 2);
/** embedMatrix calls of the corpus per process (the median is reported). */
const EMBED_CALLS = 3;

/**
 * One measurement in this process: the threads started (cold, timed on their own), fit over `steps` batches,
 * then embedMatrix of the sentences on the same, warm, threads.
 */
async function measureHere(name: string, s: WorkerSizes, workers: number): Promise<Ours> {
  await initBackend();
  const base = process.memoryUsage().rss;
  const pairs = s.pairs * s.steps;
  const a = texts(pairs, s, 1);
  const b = texts(pairs, s, 2);
  const data = a.map((text1, i) => ({ text1, text2: b[i]!, score: (i % 5) / 4 }));
  const corpus = texts(s.sentences, s, 3);
  const m = model(name, s);
  let startMs = 0;
  if (workers > 1) {
    // The model keeps the threads its first parallel call starts; fit and embed below reuse them.
    const t0 = performance.now();
    await m.embedMatrix(corpus.slice(0, workers), { workers });
    startMs = performance.now() - t0;
  }
  const steps: number[] = [];
  let last = performance.now();
  const r = await fit(m, data, {
    loss: lossFromConfig({ type: 'cosine' }),
    batchSize: s.pairs,
    workers,
    seed: 1,
    onBatch: () => {
      const now = performance.now();
      steps.push(now - last);
      last = now;
    },
  });
  const calls: number[] = [];
  for (let i = 0; i < EMBED_CALLS; i++) {
    const t0 = performance.now();
    await m.embedMatrix(corpus, { workers, batchSize: s.inferBatch });
    calls.push(performance.now() - t0);
  }
  m.dispose();
  const peakMB = (process.resourceUsage().maxRSS * 1024 - base) / 2 ** 20;
  return {
    train: s.pairs / (median(steps.slice(warmSteps(s))) / 1000),
    infer: s.sentences / (median(calls) / 1000),
    startMs,
    fitPairsPerSec: r.pairsPerSec,
    peakMB,
  };
}

/** Each measurement runs in a fresh process (this bundled module, re-entered), so peak memory is its own. */
function ours(name: string, s: WorkerSizes, workers: number): Ours {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self], {
    encoding: 'utf8',
    env: { ...process.env, [CHILD]: JSON.stringify({ name, s, workers }) },
  });
  if (r.status !== 0) throw new Error(`bench child (${name}, ${workers} workers) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const child = process.env[CHILD];
if (child) {
  const { name, s, workers } = JSON.parse(child) as { name: string; s: WorkerSizes; workers: number };
  process.stdout.write(`${JSON.stringify(await measureHere(name, s, workers))}\n`);
  process.exit(0);
}

interface Torch {
  train: number;
  infer: number;
  /** The BLAS library torch loaded (Debian's reference `libblas3` is 5–15× slower than OpenBLAS). */
  blas: string;
}

/** Debian's unoptimised reference BLAS (what `python3-torch` gets without its recommended OpenBLAS). */
const referenceBlas = (path: string) => /\/blas\/libblas\.so/.test(path);

/**
 * The torch reference on `threads` threads, or why there is none. Its figures are medians after warm-up, in a
 * process started for the call (the start is not timed), like ours.
 */
function pytorch(name: string, s: WorkerSizes, threads: number): Torch | { skipped: string } {
  const script = fileURLToPath(new URL('../scripts/torch_encoders.py', import.meta.url));
  const settings = JSON.stringify({
    encoder: name,
    vocab: s.vocab,
    dim: s.dim,
    pairs: s.pairs,
    T: s.T,
    runs: s.steps - warmSteps(s),
    warmup: warmSteps(s),
    sentences: s.sentences,
    inferBatch: s.inferBatch,
    inferRuns: EMBED_CALLS,
    threads,
  });
  let why = '';
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, [script, settings], { encoding: 'utf8' });
    if (r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop()!);
    why = r.error
      ? `${python}: ${r.error.message}`
      : `${python}: ${(r.stderr ?? '').trim().split('\n').pop()}`;
  }
  return { skipped: `no python3 with torch (${why}); apt-get install -y python3-torch` };
}

/** Single-thread peak of the WASM SIMD matmul (512³, GFLOP/s): the ceiling every GFLOP/s figure is read against. */
export async function matmulPeakGflops(runs: number): Promise<number> {
  const n = 512;
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    if (i >= 2) times.push(performance.now() - t0);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (median(times) / 1000) / 1e9;
}

/** The rows: per encoder and worker count, medians over the rounds; PyTorch run right after ours in each round. */
export async function workerRows(
  s: WorkerSizes,
  options: { torch: boolean; log: (m: string) => void; encoders?: string[] },
): Promise<BenchRow[]> {
  const cores = availableParallelism();
  const counts = [...new Set([1, 2, cores])];
  const peak = await matmulPeakGflops(10);
  options.log(
    `encoders: SIMD matmul peak on one thread ${round(peak, 2)} GFLOP/s; load average ${loadavg()
      .map((x) => round(x, 1))
      .join(' ')}`,
  );
  const rows: BenchRow[] = [];
  for (const name of options.encoders ?? ['lstm', 'bilstm', 'cnn', 'meanpool']) {
    const runs = new Map<number, Ours[]>(counts.map((n) => [n, []]));
    // PyTorch on 2 threads (the target's reference) and on 1: on a busy machine its two OpenMP threads can be
    // slower than one (each parallel region waits for a descheduled thread), so both are reported.
    const torch2: Torch[] = [];
    const torch1: Torch[] = [];
    let skipped = options.torch ? '' : 'quick mode';
    const loads: number[] = [];
    for (let round_ = 0; round_ < s.rounds; round_++) {
      for (const n of counts) runs.get(n)!.push(ours(name, s, n));
      if (!skipped) {
        for (const [threads, into] of [
          [2, torch2],
          [1, torch1],
        ] as const) {
          const t = pytorch(name, s, threads);
          if ('skipped' in t) skipped = t.skipped;
          else into.push(t);
        }
      }
      loads.push(loadavg()[0]!);
    }
    const forward = forwardFlopsPerSentence(name, s.dim, s.T);
    const one = runs.get(1)!;
    const torch = torch2.length === s.rounds && torch1.length === s.rounds;
    for (const n of counts) {
      const mine = runs.get(n)!;
      const perRound = (f: (o: Ours, i: number) => number) => round(median(mine.map(f)), 3);
      const spread = (f: (o: Ours, i: number) => number) =>
        `${round(Math.min(...mine.map(f)), 2)}–${round(Math.max(...mine.map(f)), 2)}`;
      const train = median(mine.map((o) => o.train));
      const infer = median(mine.map((o) => o.infer));
      const trainGflops = (train * 2 * 3 * forward) / 1e9;
      const inferGflops = (infer * forward) / 1e9;
      const row: BenchRow = {
        suite: 'encoders',
        encoder: name,
        mode: 'workers',
        workers: n,
        trainPairsPerSec: round(train),
        inferSentencesPerSec: round(infer),
        startMs: round(median(mine.map((o) => o.startMs))),
        fitPairsPerSec: round(median(mine.map((o) => o.fitPairsPerSec))),
        trainGflops: round(trainGflops, 3),
        inferGflops: round(inferGflops, 3),
        peakGflopsOneThread: round(peak, 2),
        trainFractionOfPeak: round(trainGflops / (peak * n), 3),
        inferFractionOfPeak: round(inferGflops / (peak * n), 3),
        scalingTrainVs1: perRound((o, i) => o.train / one[i]!.train),
        scalingInferVs1: perRound((o, i) => o.infer / one[i]!.infer),
        scalingSpread: `train ${spread((o, i) => o.train / one[i]!.train)}, infer ${spread((o, i) => o.infer / one[i]!.infer)}`,
        peakMemMB: round(median(mine.map((o) => o.peakMB))),
        memoryVs1: perRound((o, i) => o.peakMB / Math.max(one[i]!.peakMB, 1)),
        rounds: s.rounds,
        loadAverage: round(median(loads), 1),
      };
      if (torch) {
        const blas = torch2[0]!.blas;
        row.pytorchBlas = blas;
        if (referenceBlas(blas)) {
          row.pytorchWarning =
            'PyTorch ran on the reference BLAS (libblas3): its figures are 5-15x too low; apt-get install libopenblas0-pthread';
        }
        row.pytorchTrainPairsPerSec = round(median(torch2.map((t) => t.train)));
        row.pytorchInferSentencesPerSec = round(median(torch2.map((t) => t.infer)));
        row.pytorch1TrainPairsPerSec = round(median(torch1.map((t) => t.train)));
        row.pytorch1InferSentencesPerSec = round(median(torch1.map((t) => t.infer)));
        row.ratioTrainVsPyTorch = perRound((o, i) => o.train / torch2[i]!.train);
        row.ratioInferVsPyTorch = perRound((o, i) => o.infer / torch2[i]!.infer);
        row.ratioSpread = `train ${spread((o, i) => o.train / torch2[i]!.train)}, infer ${spread((o, i) => o.infer / torch2[i]!.infer)}`;
        // Against the better of PyTorch's 1- and 2-thread figures of the same round.
        row.ratioTrainVsBestPyTorch = perRound(
          (o, i) => o.train / Math.max(torch2[i]!.train, torch1[i]!.train),
        );
        row.ratioInferVsBestPyTorch = perRound(
          (o, i) => o.infer / Math.max(torch2[i]!.infer, torch1[i]!.infer),
        );
      } else row.pytorch = `skipped: ${skipped}`;
      options.log(
        `encoders: ${name} workers ${n}: ${row.trainPairsPerSec} pairs/s (×${row.scalingTrainVs1}), ${row.inferSentencesPerSec} sentences/s (×${row.scalingInferVs1}), start ${row.startMs} ms, ${row.peakMemMB} MB (×${row.memoryVs1})${torch ? `; PyTorch 2 threads ${row.pytorchTrainPairsPerSec} / ${row.pytorchInferSentencesPerSec}, 1 thread ${row.pytorch1TrainPairsPerSec} / ${row.pytorch1InferSentencesPerSec}; ours ×${row.ratioTrainVsPyTorch} / ×${row.ratioInferVsPyTorch} (best PyTorch ×${row.ratioTrainVsBestPyTorch} / ×${row.ratioInferVsBestPyTorch})` : ''}; load ${row.loadAverage}${row.pytorchWarning ? ` (${row.pytorchWarning})` : ''}`,
      );
      rows.push(row);
    }
  }
  return rows;
}
