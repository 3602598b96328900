// The runtime-neutral service: one `handle(request, state)` used by the Worker, the Deno and the Bun servers.
import {
  buildIndex,
  MODEL_FORMAT_VERSION,
  match as matchReference,
  type SearchHit,
  type SiameseModel,
  search as searchIndex,
  similarity as similarityOf,
  type VectorIndex,
} from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { intField, readJsonObject, stringArrayField, stringField } from './body.ts';
import { CORS_HEADERS, errorResponse, HttpError, json } from './http.ts';

/** Most texts one `/embed` request may carry. */
export const MAX_EMBED_TEXTS = 64;
/** Largest `k` of `/search`. */
export const MAX_K = 50;

/** What the service needs: built once per process/isolate by {@link createState}, shared by all requests. */
export interface ServiceState {
  model: SiameseModel;
  references: readonly string[];
  index: VectorIndex;
  /** The active tfjs backend (`'wasm'`). */
  backend: string;
  /** Milliseconds spent initialising the backend and the model. */
  initMs: number;
}

/** Per-request options (from the Worker's env or the process environment). */
export interface HandleOptions {
  /** Adds `numTensors` to `/health`, to check for tensor leaks. */
  debug?: boolean;
}

/** Builds the state: indexes the reference set once, so `/search` and `/match` only embed the query. */
export async function createState(
  model: SiameseModel,
  references: readonly string[],
  backend: string,
  startedAt: number,
): Promise<ServiceState> {
  const index = await buildIndex(model, references);
  return { model, references, index, backend, initMs: Math.round(performance.now() - startedAt) };
}

type Route = (request: Request, state: ServiceState, options: HandleOptions) => Promise<Response>;

const ROUTES: Record<string, { method: 'GET' | 'POST'; run: Route }> = {
  '/health': { method: 'GET', run: async (_r, s, o) => json(health(s, o)) },
  '/similarity': { method: 'POST', run: similarity },
  '/embed': { method: 'POST', run: embed },
  '/search': { method: 'POST', run: search },
  '/match': { method: 'POST', run: match },
};

/**
 * Answers one request. User mistakes get a 4xx JSON error naming the field; only a bug gives a 500.
 * Routes: `GET /health`, `POST /similarity {a, b}`, `POST /embed {texts}`, `POST /search {query, k?}`,
 * `POST /match {text}`, and `OPTIONS` preflight on each.
 */
export async function handle(
  request: Request,
  state: ServiceState,
  options: HandleOptions = {},
): Promise<Response> {
  try {
    const { pathname } = new URL(request.url);
    const route = Object.hasOwn(ROUTES, pathname) ? ROUTES[pathname] : undefined;
    if (!route)
      throw new HttpError(404, 'E_NOT_FOUND', `no route ${pathname} (try ${Object.keys(ROUTES).join(', ')})`);
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS_HEADERS });
    if (request.method !== route.method && !(route.method === 'GET' && request.method === 'HEAD')) {
      throw new HttpError(
        405,
        'E_METHOD',
        `${pathname}: expected ${route.method}, found ${request.method}`,
        undefined,
        { allow: `${route.method}, OPTIONS` },
      );
    }
    return await route.run(request, state, options);
  } catch (e) {
    if (e instanceof HttpError) return errorResponse(e);
    // A bug, not the caller's mistake: log it for the operator, answer without internals.
    console.error('siamese service: internal error', e);
    return json({ error: { code: 'E_INTERNAL', message: 'internal error' } }, 500);
  }
}

function health(state: ServiceState, options: HandleOptions) {
  const { model } = state;
  return {
    ok: true,
    model: {
      id: model.id ?? null,
      formatVersion: MODEL_FORMAT_VERSION,
      dim: model.dim,
      maxLength: model.maxLength,
      vocabSize: model.tokenizer.vocabSize,
      threshold: model.threshold,
    },
    backend: state.backend,
    references: state.references.length,
    initMs: state.initMs,
    ...(options.debug ? { numTensors: tf.memory().numTensors } : {}),
  };
}

/** True when the model will cut `text` to its `maxLength` tokens. */
function isTruncated(state: ServiceState, text: string): boolean {
  return state.model.tokenizer.encode(text).length > state.model.maxLength;
}

async function similarity(request: Request, state: ServiceState): Promise<Response> {
  const body = await readJsonObject(request);
  const a = stringField(body, 'a');
  const b = stringField(body, 'b');
  const value = await similarityOf(state.model, a, b);
  return json({ similarity: value, truncated: isTruncated(state, a) || isTruncated(state, b) });
}

async function embed(request: Request, state: ServiceState): Promise<Response> {
  const body = await readJsonObject(request);
  const texts = stringArrayField(body, 'texts', MAX_EMBED_TEXTS);
  const vectors = await state.model.embed(texts);
  const truncatedIndices = texts.flatMap((t, i) => (isTruncated(state, t) ? [i] : []));
  return json({
    dim: state.model.dim,
    embeddings: vectors.map((v) => Array.from(v)),
    truncated: truncatedIndices.length > 0,
    truncatedIndices,
  });
}

async function search(request: Request, state: ServiceState): Promise<Response> {
  const body = await readJsonObject(request);
  const query = stringField(body, 'query');
  const k = intField(body, 'k', { min: 1, max: MAX_K, fallback: 5 });
  const results: SearchHit[] = await searchIndex(state.model, query, state.index, { k });
  return json({ results, truncated: isTruncated(state, query) });
}

async function match(request: Request, state: ServiceState): Promise<Response> {
  const body = await readJsonObject(request);
  const text = stringField(body, 'text');
  if (!state.model.threshold) {
    throw new HttpError(501, 'E_NO_THRESHOLD', 'this model has no calibrated threshold (calibrateThreshold)');
  }
  const result = await matchReference(state.model, text, state.index);
  return json({ ...result, truncated: isTruncated(state, text) });
}
