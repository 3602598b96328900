import type { FusedAdamOptimizer } from '@siamese/backend';
import { describeValue, fileSystem, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { currentEntries, packWeights, unpackWeights, type WeightEntry } from '../io/format.js';
import { joinPath, removeStaleTemps, writeFileAtomic } from '../io/fs.js';
import { DEFAULT_MODEL_LIMITS, readFileCapped } from '../io/limits.js';
import { loadModel, saveModel } from '../io/model-io.js';
import { checkFileName, confinedPath, isOwnFileName, readConfined } from '../io/paths.js';
import type { SiameseModel } from '../model.js';
import type { BestEpoch, EpochEvent } from './events.js';

/** A named weight or optimizer tensor in a checkpoint. */
export interface SavedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Saved training state, so a run can resume after the last completed epoch. */
export interface TrainerCheckpoint {
  /** Epochs completed. */
  epoch: number;
  step: number;
  history: EpochEvent[];
  best: BestEpoch | null;
  /** Adam's state: iterations, moments and the β-power accumulators (exact float32, for a bit-exact resume). */
  optimizer: SavedTensor[];
  /** With `patience`: the encoder weights of the best epoch so far, restored when training ends. */
  bestWeights?: SavedTensor[] | null;
  /**
   * What run wrote it: a hash of the training data, the seed, the options that shape the steps and the model's
   * config. `fit` refuses to resume a checkpoint of another run (written by 0.2 and later).
   */
  fingerprint?: string;
}

/** A place to keep checkpoints: {@link folderCheckpoints} keeps them in a folder; write your own for other stores. */
export interface CheckpointStore {
  save(model: SiameseModel, state: TrainerCheckpoint): Promise<void>;
  /**
   * The saved state, weights restored into `model`, or null. With `expected`, a store should refuse (before
   * touching the model) a checkpoint whose `fingerprint` differs; `fit` checks again after loading.
   */
  load(model: SiameseModel, expected?: { fingerprint: string }): Promise<TrainerCheckpoint | null>;
}

/**
 * The optimizer's state as plain arrays (what a checkpoint stores), the β-power accumulators included: tfjs'
 * own `setWeights` would recompute them with `pow`, which is not the float32 product the steps accumulated.
 */
export async function optimizerState(optimizer: FusedAdamOptimizer): Promise<SavedTensor[]> {
  const weights = await optimizer.getWeights({ betaPowers: true });
  const saved = await Promise.all(
    weights.map(async (w) => ({
      name: w.name,
      shape: w.tensor.shape,
      values: Float32Array.from(await w.tensor.data()),
    })),
  );
  weights[0]!.tensor.dispose(); // the iterations scalar is made fresh by getWeights
  return saved;
}

/** Puts a checkpoint's optimizer state back. Adam's slots are matched to variables by position, not by name. */
export async function restoreOptimizer(
  optimizer: FusedAdamOptimizer,
  state: readonly SavedTensor[],
): Promise<void> {
  if (!state.length) return;
  const tensors = state.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) }));
  await optimizer.setWeights(tensors);
  tf.dispose(tensors.map((t) => t.tensor)); // setWeights keeps its own variables
}

/**
 * Checkpoints in a folder (Node, Deno, Bun): `model-epoch-N/` (the model format), `optimizer-epoch-N.bin`, with
 * `patience` `best-epoch-N.bin` (the best epoch's weights), and `trainer.json` (written last, atomically: it is
 * the commit point, so a crash mid-checkpoint resumes from the previous one).
 */
export function folderCheckpoints(dir: string): CheckpointStore {
  return {
    async save(model: SiameseModel, state: TrainerCheckpoint): Promise<void> {
      const fs = await fileSystem();
      await fs.mkdir(dir, { recursive: true });
      await saveModel(model, joinPath(dir, `model-epoch-${state.epoch}`));
      const { blob, entries } = packWeights(state.optimizer);
      const optFile = `optimizer-epoch-${state.epoch}.bin`;
      await writeFileAtomic(fs, joinPath(dir, optFile), blob);
      let best: { bestFile: string; bestEntries: SavedState['optimizerEntries'] } | null = null;
      if (state.bestWeights) {
        const packed = packWeights(state.bestWeights);
        best = { bestFile: `best-epoch-${state.epoch}.bin`, bestEntries: packed.entries };
        await writeFileAtomic(fs, joinPath(dir, best.bestFile), packed.blob);
      }
      const previous = await readState(dir).catch(() => null); // an unreadable old state: nothing of it to delete
      const { optimizer: _o, bestWeights: _b, ...rest } = state;
      await writeFileAtomic(
        fs,
        joinPath(dir, 'trainer.json'),
        JSON.stringify({
          ...rest,
          model: `model-epoch-${state.epoch}`,
          optimizerFile: optFile,
          optimizerEntries: entries,
          ...best,
        }),
      );
      await removeStaleTemps(
        fs,
        dir,
        /^(trainer\.json|optimizer-epoch-\d{1,9}\.bin|best-epoch-\d{1,9}\.bin)$/,
      );
      if (previous && previous.epoch !== state.epoch) {
        // Only names this store writes, in this folder: a planted trainer.json naming "../x" deletes nothing.
        if (isOwnFileName(previous.model, OWN.model)) {
          await fs.rm(joinPath(dir, previous.model), { recursive: true, force: true });
        }
        for (const [file, pattern] of [
          [previous.optimizerFile, OWN.optimizerFile],
          [previous.bestFile, OWN.bestFile],
        ] as const) {
          if (isOwnFileName(file, pattern)) await fs.rm(joinPath(dir, file), { force: true });
        }
      }
    },
    async load(model: SiameseModel, expected?: { fingerprint: string }): Promise<TrainerCheckpoint | null> {
      const saved = await readState(dir);
      if (!saved) return null;
      if (expected) checkFingerprint(saved.fingerprint, expected.fingerprint, `checkpoint ${dir}`);
      const fs = await fileSystem();
      const restored = await loadModel(await confinedPath(fs, dir, saved.model, `checkpoint ${dir}: model`));
      try {
        const from = restored.encoder.weights();
        for (const [name, v] of model.encoder.weights()) {
          const w = from.get(name);
          if (!w || w.shape.join() !== v.shape.join()) {
            throw new SiameseError(
              'E_MODEL_MISMATCH',
              `checkpoint ${dir}: weight "${name}" does not fit the model being trained`,
            );
          }
          v.assign(w);
        }
      } finally {
        restored.dispose();
      }
      const read = async (file: string, written: SavedState['optimizerEntries']) => {
        const entries = currentEntries(written);
        const bytes = await readConfined(
          fs,
          dir,
          file,
          `checkpoint ${dir}: ${file}`,
          DEFAULT_MODEL_LIMITS.maxWeightsBytes,
          'limits.maxWeightsBytes',
        );
        const unpacked = unpackWeights(bytes, entries);
        return entries.map((e) => ({ name: e.name, shape: e.shape, values: unpacked.get(e.name)!.values }));
      };
      return {
        epoch: saved.epoch,
        step: saved.step,
        history: saved.history,
        best: saved.best,
        optimizer: await read(saved.optimizerFile, saved.optimizerEntries),
        bestWeights:
          saved.bestFile && saved.bestEntries ? await read(saved.bestFile, saved.bestEntries) : null,
        ...(saved.fingerprint === undefined ? {} : { fingerprint: saved.fingerprint }),
      };
    },
  };
}

/** What `trainer.json` holds. */
export interface SavedState extends Omit<TrainerCheckpoint, 'optimizer' | 'bestWeights'> {
  model: string;
  optimizerFile: string;
  /** Entries as `packWeights` writes them (checkpoints from before format 2 say `offset`, in floats). */
  optimizerEntries: WeightEntry[];
  bestFile?: string;
  bestEntries?: WeightEntry[];
}

/**
 * Refuses a checkpoint written by another run (other data, seed, options or model). A checkpoint without a
 * fingerprint (written before 0.2) is accepted as before.
 */
export function checkFingerprint(found: unknown, expected: string, where: string): void {
  if (found === undefined || found === expected) return;
  throw new SiameseError(
    'E_MODEL_MISMATCH',
    `${where}: written by another run (its fingerprint is ${String(found).slice(0, 16)}, this run's is ${expected.slice(0, 16)}: the training data, seed, options or model differ); to start fresh, delete the checkpoint folder or pass a new one`,
    { details: { found, expected } },
  );
}

/** The names this store writes (and so the only ones it deletes). */
const OWN = {
  model: /^model-epoch-\d{1,9}$/,
  optimizerFile: /^optimizer-epoch-\d{1,9}\.bin$/,
  bestFile: /^best-epoch-\d{1,9}\.bin$/,
} as const;

/** `trainer.json` of `dir`, checked (see {@link parseTrainerState}), or null when there is none. */
async function readState(dir: string): Promise<SavedState | null> {
  const fs = await fileSystem();
  const path = joinPath(dir, 'trainer.json');
  let bytes: Uint8Array;
  try {
    bytes = await readFileCapped(fs, path, DEFAULT_MODEL_LIMITS.maxManifestBytes, 'limits.maxManifestBytes');
  } catch (e) {
    if (SiameseError.is(e, 'E_MODEL_NOT_FOUND')) return null;
    throw e;
  }
  return parseTrainerState(bytes, path);
}

/**
 * Parses and checks a checkpoint's `trainer.json`: its file names must be the plain names this store writes,
 * its counters integers, its entries well formed. Anything else is `E_MODEL_CORRUPT` or `E_MODEL_UNSAFE_PATH`.
 */
export function parseTrainerState(bytes: Uint8Array, where: string): SavedState {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `${where}: unreadable checkpoint state: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw SiameseError.expected('E_MODEL_CORRUPT', where, 'a checkpoint state object', describeValue(raw));
  }
  const s = raw as Record<string, unknown>;
  for (const key of ['epoch', 'step'] as const) {
    if (!Number.isSafeInteger(s[key]) || (s[key] as number) < 0) {
      throw SiameseError.expected(
        'E_MODEL_CORRUPT',
        `${where}: ${key}`,
        'a non-negative integer',
        describeValue(s[key]),
      );
    }
  }
  if (!Array.isArray(s.history)) {
    throw SiameseError.expected('E_MODEL_CORRUPT', `${where}: history`, 'an array', describeValue(s.history));
  }
  for (const key of ['model', 'optimizerFile', 'bestFile'] as const) {
    if (key === 'bestFile' && s[key] === undefined) continue;
    if (!isOwnFileName(s[key], OWN[key])) {
      checkFileName(s[key], `${where}: ${key}`); // says why a name is unsafe
      throw SiameseError.expected(
        'E_MODEL_UNSAFE_PATH',
        `${where}: ${key}`,
        `a name like ${OWN[key].source}`,
        describeValue(s[key]),
      );
    }
  }
  if (s.fingerprint !== undefined && typeof s.fingerprint !== 'string') {
    throw SiameseError.expected(
      'E_MODEL_CORRUPT',
      `${where}: fingerprint`,
      'a string',
      describeValue(s.fingerprint),
    );
  }
  for (const key of ['optimizerEntries', 'bestEntries'] as const) {
    if (key === 'bestEntries' && s[key] === undefined) continue;
    const entries = s[key];
    if (
      !Array.isArray(entries) ||
      !entries.every(
        (e) =>
          typeof e === 'object' &&
          e !== null &&
          typeof e.name === 'string' &&
          Array.isArray(e.shape) &&
          e.shape.every((d: unknown) => Number.isSafeInteger(d) && (d as number) >= 0) &&
          // format 2 writes byteOffset; checkpoints from before it say offset (unpackWeights checks the rest)
          ((Number.isSafeInteger(e.byteOffset) && e.byteOffset >= 0) ||
            (Number.isSafeInteger(e.offset) && e.offset >= 0)),
      )
    ) {
      throw SiameseError.expected(
        'E_MODEL_CORRUPT',
        `${where}: ${key}`,
        'entries { name, shape, byteOffset }',
        describeValue(entries),
      );
    }
  }
  return s as unknown as SavedState;
}
