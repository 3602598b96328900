// The messages between the page and its training worker (train-worker.ts).

export interface ToTrainer {
  pairs: { text1: string; text2: string; score: number }[];
  /** The last `devSize` pairs are held out for the dev Spearman. */
  devSize: number;
  epochs: number;
  batchSize: number;
}

export type FromTrainer =
  | { type: 'started'; backend: string; scope: string; untrained: number }
  | { type: 'batch'; loss: number }
  | { type: 'epoch'; epoch: number; loss: number; metric: number }
  | { type: 'done'; model: Uint8Array }
  | { type: 'error'; message: string };
