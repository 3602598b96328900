/**
 * The messages between the thread that trains or embeds (the coordinator) and its worker threads.
 *
 * @module
 */
import type { BatchKind, LossConfig } from '@siamese/losses';
import type { SavedTensor } from '../checkpoints.js';

/**
 * Shared state of a training group of `workers` replicas (replica 0 is the calling thread): one control array,
 * one float buffer with every replica's regions.
 */
export interface SharedRegions {
  /**
   * Int32, see {@link controlSlots}: per replica the step whose embedding gradients it may read, the abort
   * flag, then per replica the step whose embeddings it has written (-1: it failed).
   */
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
  | {
      type: 'embed';
      id: number;
      texts: string[];
      batchSize?: number;
      normalize?: boolean;
      truncateDim?: number;
    };

export interface TrainInit {
  /** This replica's index (1 and up: the calling thread is replica 0). */
  index: number;
  /** Replicas in the group, the calling thread's included. */
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
  | { type: 'gradients'; step: number; rows: number }
  | { type: 'embedded'; id: number; matrix: Float32Array }
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

/** Where each flag of a group's control array is; `Int32Array` slots, `workers` replicas. */
export function controlSlots(workers: number) {
  return {
    /** Replica k may read step `control[gate(k)]`'s embedding gradients. */
    gate: (k: number) => k,
    /** Non-zero: the run was stopped, replicas waiting give up. */
    abort: workers,
    /** Replica k wrote step `control[ready(k)]`'s embeddings (-1: its step failed). */
    ready: (k: number) => workers + 1 + k,
    length: 2 * workers + 1,
  };
}

/** Floats of the shared buffer for `workers` replicas. */
export function sharedFloats(workers: number, embeddingFloats: number, gradientFloats: number): number {
  return workers * (2 * embeddingFloats + gradientFloats) + gradientFloats;
}
