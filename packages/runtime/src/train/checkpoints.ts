import type { FusedAdamOptimizer } from '@siamese/backend';
import { fileSystem, SiameseError } from '@siamese/core';
import * as tf from '@tensorflow/tfjs-core';
import { packWeights, unpackWeights } from '../io/format.js';
import { joinPath, writeFileAtomic } from '../io/fs.js';
import { loadModel, saveModel } from '../io/model-io.js';
import type { SiameseModel } from '../model.js';
import type { BestEpoch, EpochEvent } from './events.js';

/** Saved training state, so a run can resume after the last completed epoch. */
export interface TrainerCheckpoint {
  /** Epochs completed. */
  epoch: number;
  step: number;
  history: EpochEvent[];
  best: BestEpoch | null;
  optimizer: { name: string; shape: number[]; values: Float32Array }[];
}

/** A place to keep checkpoints: {@link folderCheckpoints} keeps them in a folder; write your own for other stores. */
export interface CheckpointStore {
  save(model: SiameseModel, state: TrainerCheckpoint): Promise<void>;
  load(model: SiameseModel): Promise<TrainerCheckpoint | null>;
}

/** The optimizer's state as plain arrays (what a checkpoint stores). */
export async function optimizerState(optimizer: FusedAdamOptimizer): Promise<TrainerCheckpoint['optimizer']> {
  const weights = await optimizer.getWeights();
  return Promise.all(
    weights.map(async (w) => ({
      name: w.name,
      shape: w.tensor.shape,
      values: (await w.tensor.data()) as Float32Array,
    })),
  );
}

/** Puts a checkpoint's optimizer state back. Adam's slots are matched to variables by position, not by name. */
export async function restoreOptimizer(
  optimizer: FusedAdamOptimizer,
  state: TrainerCheckpoint['optimizer'],
): Promise<void> {
  if (!state.length) return;
  await optimizer.setWeights(state.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) })));
}

/**
 * Checkpoints in a folder (Node, Deno, Bun): `model/` (the model format), `optimizer.bin` and `trainer.json`
 * (written last, atomically: it is the commit point, so a crash mid-checkpoint resumes from the previous one).
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
      const previous = await readState(dir);
      const { optimizer: _o, ...rest } = state;
      await writeFileAtomic(
        fs,
        joinPath(dir, 'trainer.json'),
        JSON.stringify({
          ...rest,
          model: `model-epoch-${state.epoch}`,
          optimizerFile: optFile,
          optimizerEntries: entries,
        }),
      );
      if (previous && previous.epoch !== state.epoch) {
        await fs.rm(joinPath(dir, previous.model), { recursive: true, force: true });
        await fs.rm(joinPath(dir, previous.optimizerFile), { force: true });
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
      const blob = new Uint8Array(await fs.readFile(joinPath(dir, saved.optimizerFile)));
      const opt = unpackWeights(blob, saved.optimizerEntries);
      return {
        epoch: saved.epoch,
        step: saved.step,
        history: saved.history,
        best: saved.best,
        optimizer: saved.optimizerEntries.map((e) => ({
          name: e.name,
          shape: e.shape,
          values: opt.get(e.name)!.values,
        })),
      };
    },
  };
}

interface SavedState extends Omit<TrainerCheckpoint, 'optimizer'> {
  model: string;
  optimizerFile: string;
  optimizerEntries: { name: string; shape: number[]; offset: number }[];
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
