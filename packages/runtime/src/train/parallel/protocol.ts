/**
 * The messages between the thread that trains or embeds (the coordinator) and its worker threads.
 *
 * @module
 */
import type { BatchKind, LossConfig } from '@siamese/losses';
import type { SavedTensor } from '../checkpoints.js';

/** Shared state of a training group: one control array, one float buffer with every replica's regions. */
export interface SharedRegions {
  /** Int32: the step each replica may continue with (`[k]`), then the abort flag (`[workers]`). */
  control: SharedArrayBuffer;
  /** Float32: per replica its embeddings, their gradients, its gradients; then the summed gradients. */
  floats: SharedArrayBuffer;
  /** Floats per embedding region (the most rows a shard can have × slots × dim). */
  embeddingFloats: number;
  /** Floats per gradient region (the exchange layout's size). */
  gradientFloats: number;
}

export type ToWorker =
  | {
      type: 'init';
      /** The model in the single-file format. */
      model: Uint8Array;
      backend: string;
      /** A module each thread imports first (registers custom encoders, steps and losses). */
      setup?: string;
    }
  /** The model's current weights, in `encoder.weights()` order (the threads' copies had gone stale). */
  | { type: 'weights'; values: Float32Array[] }
  /** Become a training replica (threads kept by a model are started before its first fit). */
  | { type: 'train'; train: TrainInit }
  /** The run is over: drop the replica's optimizer, keep the model (in step with the coordinator's). */
  | { type: 'endTrain' }
  | { type: 'step'; step: number; indices: Int32Array; seed: number }
  | { type: 'apply'; lr: number }
  /** Send the replica's weights and optimizer state (the calling thread does not update its own copy). */
  | { type: 'pull' }
  | {
      type: 'embed';
      id: number;
      texts: string[];
      batchSize?: number;
      normalize?: boolean;
      truncateDim?: number;
    };

export interface TrainInit {
  index: number;
  workers: number;
  shared: SharedRegions;
  kind: BatchKind;
  slots: string[][];
  loss: LossConfig;
  clipNorm?: number;
  lr: number;
  optimizer: SavedTensor[];
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'embeddings'; step: number; rows: number }
  | { type: 'gradients'; step: number; rows: number }
  | { type: 'embedded'; id: number; matrix: Float32Array }
  | {
      type: 'state';
      /** The trainable variables' values and names, in `trainableVariables()` order. */
      weights: Float32Array[];
      names: string[];
      optimizer: SavedTensor[];
    }
  | { type: 'error'; message: string; code?: string; details?: Record<string, unknown> };

/** The regions of replica `k` and the sum, as views of the shared float buffer. */
export function regionsOf(shared: SharedRegions, workers: number) {
  const per = 2 * shared.embeddingFloats + shared.gradientFloats;
  const view = (offset: number, length: number) => new Float32Array(shared.floats, offset * 4, length);
  const replica = (k: number) => ({
    embeddings: view(k * per, shared.embeddingFloats),
    embeddingGrads: view(k * per + shared.embeddingFloats, shared.embeddingFloats),
    gradients: view(k * per + 2 * shared.embeddingFloats, shared.gradientFloats),
  });
  return {
    replicas: Array.from({ length: workers }, (_, k) => replica(k)),
    sum: view(workers * per, shared.gradientFloats),
    control: new Int32Array(shared.control),
  };
}

/** Floats of the shared buffer for `workers` replicas. */
export function sharedFloats(workers: number, embeddingFloats: number, gradientFloats: number): number {
  return workers * (2 * embeddingFloats + gradientFloats) + gradientFloats;
}
