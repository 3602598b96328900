// What `createHandler` accepts, its defaults, and the checks that turn a bad option into an error at startup
// rather than a surprise on the first request.

import { SiameseError } from '@siamese/core';
import type { Similarity } from '@siamese/losses';
import type { LabelledText } from '@siamese/pairs';
import type { InitBackendOptions, SearchHit, SiameseModel } from '@siamese/runtime';

/**
 * What `/search` and `/match` search: the runtime's `VectorIndex` fits, and so does any store that answers
 * `search(vector, k)` (a quantized index, a database adapter: the runtime's `VectorStore` contract is a superset).
 * `add` enables `POST /index/add`, `remove` enables `POST /index/remove`.
 */
export interface ServeIndex {
  /** Vector length; checked against the model's at startup when present. */
  readonly dim?: number;
  /** How the index compares vectors; checked against the model's at startup when present. */
  readonly similarity?: Similarity;
  /** Number of stored vectors, for `/health` (a store that must ask may have a `count()` method instead). */
  readonly size?: number;
  /** The `k` stored vectors most similar to `query`, best first. */
  search(query: Float32Array, k: number): readonly SearchHit[] | Promise<readonly SearchHit[]>;
  /** Stores N×dim vectors with their texts; returns their ids. */
  add?(vectors: Float32Array, texts: readonly string[]): readonly number[] | Promise<readonly number[]>;
  /** Removes the vectors with these ids (unknown ids are skipped); returns how many were removed. */
  remove?(ids: readonly number[]): number | Promise<number>;
}

/** Request limits. Each bounds the work one request can cause. */
export interface ServeLimits {
  /** Largest request body in bytes (default 65,536). */
  bodyBytes?: number;
  /** Most texts (or ids) in one `/embed`, `/index/add` or `/index/remove` request (default 64). */
  texts?: number;
  /** Largest `k` of `/search` and `/classify` (default 50). */
  k?: number;
  /** Most labelled examples in one `/classify` request (default 256). */
  examples?: number;
}

/** Bearer-token protection. */
export interface ServeAuth {
  /** Accepted token(s) (`Authorization: Bearer <token>`); several allow rotating one without downtime. */
  token: string | readonly string[];
  /** Which routes need it: the write routes only (default), or every route but `OPTIONS`. */
  scope?: 'write' | 'all';
}

/** Options of `createHandler`. */
export interface HandlerOptions {
  /**
   * The model: an instance, or a function that loads it (`() => loadModel(bytes, { fold: false })`). The function
   * form runs on the first request (after `initBackend`), once per process or isolate; if it fails the request
   * answers 503 `E_INIT` and the next request tries again.
   */
  model: SiameseModel | (() => SiameseModel | Promise<SiameseModel>);
  /**
   * What `/search` and `/match` search: reference texts (embedded once at startup), an index that fulfils
   * {@link ServeIndex} (e.g. `await buildIndex(model, texts)`), or a function returning either.
   */
  index?: ServeIndex | readonly string[] | ((model: SiameseModel) => ServeIndex | Promise<ServeIndex>);
  /** The `/match` and `/classify` reject threshold; default: the model's calibrated threshold. */
  threshold?: number;
  /** Labelled examples `/classify` uses when a request brings none (few-shot classification). */
  examples?: readonly LabelledText[];
  /** Request limits (defaults in {@link ServeLimits}). */
  limits?: ServeLimits;
  /** Bearer-token check; without it the write routes answer 403 and everything else is open. */
  auth?: ServeAuth;
  /** Allowed CORS origins: `'*'` (default), a list of origins, or `false` for no CORS headers. */
  cors?: '*' | readonly string[] | false;
  /** Options of `initBackend`, called before the model function runs (default: WASM). */
  backend?: InitBackendOptions;
  /** Adds `numTensors` to `/health`, to check for tensor leaks. */
  debug?: boolean;
}

/** The limits with every default filled in. */
export type ResolvedLimits = Required<ServeLimits>;

export const DEFAULT_LIMITS: ResolvedLimits = { bodyBytes: 64 * 1024, texts: 64, k: 50, examples: 256 };

/** Checks the options and fills in the defaults; a bad option is `E_INVALID_ARGUMENT` naming it. */
export function resolveLimits(limits: ServeLimits = {}): ResolvedLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof ServeLimits, unknown][]) {
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) {
      throw SiameseError.expected(
        'E_INVALID_ARGUMENT',
        `createHandler: limits.${key}`,
        `one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
        'an unknown limit',
      );
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw SiameseError.expected(
        'E_INVALID_ARGUMENT',
        `createHandler: limits.${key}`,
        'an integer ≥ 1',
        String(value),
      );
    }
    out[key] = value;
  }
  return out;
}

/** The accepted tokens; an empty token would let anyone in, so it is refused. */
export function resolveTokens(auth: ServeAuth | undefined): string[] {
  if (!auth) return [];
  const tokens = typeof auth.token === 'string' ? [auth.token] : [...(auth.token ?? [])];
  if (tokens.length === 0 || tokens.some((t) => typeof t !== 'string' || t.trim().length < 8)) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'createHandler: auth.token',
      'one or more strings of at least 8 characters',
      tokens.length === 0 ? 'none' : 'an empty or short token',
    );
  }
  return tokens;
}
