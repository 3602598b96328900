import type { FusedAdamOptimizer } from '@siamese/backend';
import { fileSystem, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { currentEntries, packWeights, unpackWeights, type WeightEntry } from '../io/format.js';
import { joinPath, writeFileAtomic } from '../io/fs.js';
import { loadModel, saveModel } from '../io/model-io.js';
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
}

/** A place to keep checkpoints: {@link folderCheckpoints} keeps them in a folder; write your own for other stores. */
export interface CheckpointStore {
  save(model: SiameseModel, state: TrainerCheckpoint): Promise<void>;
  load(model: SiameseModel): Promise<TrainerCheckpoint | null>;
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
      const previous = await readState(dir);
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
      if (previous && previous.epoch !== state.epoch) {
        await fs.rm(joinPath(dir, previous.model), { recursive: true, force: true });
        await fs.rm(joinPath(dir, previous.optimizerFile), { force: true });
        if (previous.bestFile) await fs.rm(joinPath(dir, previous.bestFile), { force: true });
      }
    },
    async load(model: SiameseModel): Promise<TrainerCheckpoint | null> {
      const saved = await readState(dir);
      if (!saved) return null;
      const fs = await fileSystem();
      const restored = await loadModel(joinPath(dir, saved.model));
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
        const unpacked = unpackWeights(new Uint8Array(await fs.readFile(joinPath(dir, file))), entries);
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
      };
    },
  };
}

interface SavedState extends Omit<TrainerCheckpoint, 'optimizer' | 'bestWeights'> {
  model: string;
  optimizerFile: string;
  /** Entries as `packWeights` writes them (checkpoints from before format 2 say `offset`, in floats). */
  optimizerEntries: WeightEntry[];
  bestFile?: string;
  bestEntries?: WeightEntry[];
}

async function readState(dir: string): Promise<SavedState | null> {
  const fs = await fileSystem();
  try {
    return JSON.parse(
      new TextDecoder().decode(await fs.readFile(joinPath(dir, 'trainer.json'))),
    ) as SavedState;
  } catch {
    return null;
  }
}
