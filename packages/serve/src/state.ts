// Starting the service: the backend, the model and the index, once per process or isolate.
import { SiameseError } from '@siamese/core';
import { buildIndex, FewShotClassifier, initBackend, type SiameseModel, VectorIndex } from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import type { HandlerOptions, ServeIndex } from './options.js';

/** What every request shares, built once by {@link startState}. */
export interface ServeState {
  model: SiameseModel;
  index: ServeIndex | undefined;
  /**
   * What `/classify` uses when a request brings no examples: the handler's `examples`, embedded once at start, else
   * the classifier saved with the model (`saveModel(model, path, { classifier })`), whose examples are embedded
   * already.
   */
  classifier: FewShotClassifier | undefined;
  /** The active tfjs backend (`'wasm'`). */
  backend: string;
  /** Milliseconds spent starting (backend, model, index). */
  initMs: number;
}

/** Initialises the backend (for a model function), loads the model and builds or checks the index. */
export async function startState(options: HandlerOptions): Promise<ServeState> {
  const t0 = performance.now();
  let model: SiameseModel;
  if (typeof options.model === 'function') {
    await initBackend(options.backend);
    model = await options.model();
  } else {
    model = options.model;
  }
  const source = options.index;
  let index: ServeIndex | undefined;
  // A packed model (`siamese pack --references`) carries its reference index, vectors included: nothing to embed.
  const packed = (model as { index?: ServeIndex | null }).index;
  if (source === undefined) index = packed ?? undefined;
  else if (Array.isArray(source)) {
    // No texts yet: an empty index of the model's kind, for POST /index/add to fill.
    index = source.length
      ? await buildIndex(model, source as readonly string[])
      : new VectorIndex(model.dim, { similarity: model.similarity });
  } else if (typeof source === 'function') index = await source(model);
  else index = source as ServeIndex;
  if (index) checkIndex(model, index);
  const classifier = options.examples?.length
    ? await FewShotClassifier.create(model, options.examples)
    : (model.classifier ?? undefined);
  return { model, index, classifier, backend: tf.getBackend(), initMs: Math.round(performance.now() - t0) };
}

/** An index of other vectors, or compared another way, would answer nonsense: refuse it at startup. */
function checkIndex(model: SiameseModel, index: ServeIndex): void {
  if (typeof index.search !== 'function') {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'createHandler: index',
      'reference texts or an index with a search(vector, k) method',
      typeof index,
    );
  }
  const dimOk = index.dim === undefined || index.dim === model.dim;
  const simOk = index.similarity === undefined || index.similarity === model.similarity;
  if (!dimOk || !simOk) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'createHandler: index',
      `${model.dim}-d vectors compared by ${model.similarity} (the model's)`,
      `${index.dim ?? '?'}-d vectors compared by ${index.similarity ?? '?'}: build it with buildIndex(model, texts)`,
    );
  }
}

/** Number of vectors in the index. */
export async function indexCount(index: ServeIndex | undefined): Promise<number> {
  if (!index) return 0;
  // Stores that must ask (a database) count with a method; VectorIndex keeps a `size`.
  const count = (index as { count?: unknown }).count;
  if (typeof count === 'function') return count.call(index);
  return index.size ?? 0;
}
