// The route table: for each path its method, its request schema (validated by `check`, published by
// `/openapi.json`), its answer's schema, and what it does. Routes only compute; reading, checking and answering are
// the handler's.

import type { LabelledText } from '@siamese/pairs';
import {
  type ClassifyResult,
  classify,
  type FewShotClassifier,
  MODEL_FORMAT_VERSION,
  type SiameseModel,
  similarity,
} from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { httpError } from './http.js';
import type { HandlerOptions, ResolvedLimits, ServeIndex } from './options.js';
import type { ObjectSchema } from './schema.js';
import { indexCount, type ServeState } from './state.js';

/** A JSON Schema for documentation only (answers are built here, not validated). */
type JsonSchema = Record<string, unknown>;

/** What a route's `run` gets: the started service, the checked body, and the handler's settings. */
export interface RouteContext {
  state: ServeState;
  body: Record<string, unknown>;
  limits: ResolvedLimits;
  options: HandlerOptions;
}

/** One route. */
export interface Route {
  method: 'GET' | 'POST';
  summary: string;
  /** Changes the index: needs the bearer token, and writes enabled. */
  write?: boolean;
  /** The JSON body it takes (POST routes). */
  body?: ObjectSchema;
  /** The answer's shape, for the OpenAPI document. */
  response: JsonSchema;
  run(ctx: RouteContext): Promise<unknown>;
}

const text = (description: string) => ({ type: 'string', description }) as const;
const num = { type: 'number' } as const;
const hit = {
  type: 'object',
  properties: { index: { type: 'integer' }, score: num, text: { type: 'string' } },
  required: ['index', 'score'],
};
const label = { type: ['string', 'number'] } as const;

/** True when the model will cut `text` to its `maxLength` tokens. */
function isTruncated(model: SiameseModel, t: string): boolean {
  return model.tokenizer.encode(t).length > model.maxLength;
}

/**
 * The threshold of `/match` and `/classify`: the request's, else the handler's, else (`/classify` with the
 * server's classifier) the classifier's calibrated one, else the model's.
 */
function thresholdOf(ctx: RouteContext, classifier?: FewShotClassifier): number | undefined {
  const fromBody = ctx.body.threshold as number | undefined;
  return fromBody ?? ctx.options.threshold ?? classifier?.threshold ?? ctx.state.model.threshold?.value;
}

function needIndex(ctx: RouteContext): ServeIndex {
  if (!ctx.state.index) {
    throw httpError(
      501,
      'E_NO_INDEX',
      'this server has no index to search: start it with createHandler({ model, index: texts })',
    );
  }
  return ctx.state.index;
}

async function health(ctx: RouteContext) {
  const { model, index, classifier } = ctx.state;
  return {
    ok: true,
    model: {
      id: model.id ?? null,
      formatVersion: MODEL_FORMAT_VERSION,
      dim: model.dim,
      maxLength: model.maxLength,
      similarity: model.similarity,
      vocabSize: model.tokenizer.vocabSize,
      threshold: model.threshold,
    },
    backend: ctx.state.backend,
    references: await indexCount(index),
    classifier: classifier
      ? {
          examples: classifier.labels.length,
          labels: new Set(classifier.labels.map(String)).size,
          k: classifier.options.k,
          vote: classifier.options.vote,
          threshold: classifier.threshold ?? null,
          saved: classifier === model.classifier,
        }
      : null,
    initMs: ctx.state.initMs,
    ...(ctx.options.debug ? { numTensors: tf.memory().numTensors } : {}),
  };
}

/** The routes, their schemas sized by `limits`. */
export function routeTable(limits: ResolvedLimits): Record<string, Route> {
  const texts = (what: string) => ({
    type: 'array' as const,
    items: { type: 'string' as const },
    minItems: 1,
    maxItems: limits.texts,
    description: what,
  });
  const k = (description: string, fallback: number) =>
    ({ type: 'integer', minimum: 1, maximum: limits.k, default: fallback, description }) as const;
  const threshold = {
    type: 'number',
    description: 'overrides the server threshold for this request',
  } as const;
  return {
    '/health': {
      method: 'GET',
      summary: 'The model, the backend and the index size',
      response: { type: 'object', properties: { ok: { type: 'boolean' }, model: { type: 'object' } } },
      run: health,
    },
    '/similarity': {
      method: 'POST',
      summary: 'Similarity of two texts under the model',
      body: {
        type: 'object',
        properties: { a: text('first text'), b: text('second text') },
        required: ['a', 'b'],
        additionalProperties: false,
      },
      response: { type: 'object', properties: { similarity: num, truncated: { type: 'boolean' } } },
      run: async ({ state: { model }, body }) => {
        const [a, b] = [body.a as string, body.b as string];
        return {
          similarity: await similarity(model, a, b),
          truncated: isTruncated(model, a) || isTruncated(model, b),
        };
      },
    },
    '/embed': {
      method: 'POST',
      summary: 'Embeddings of texts',
      body: {
        type: 'object',
        properties: { texts: texts('texts to embed') },
        required: ['texts'],
        additionalProperties: false,
      },
      response: {
        type: 'object',
        properties: {
          dim: { type: 'integer' },
          embeddings: { type: 'array', items: { type: 'array', items: num } },
          truncated: { type: 'boolean' },
          truncatedIndices: { type: 'array', items: { type: 'integer' } },
        },
      },
      run: async ({ state: { model }, body }) => {
        const list = body.texts as string[];
        const vectors = await model.embed(list);
        const truncatedIndices = list.flatMap((t, i) => (isTruncated(model, t) ? [i] : []));
        return {
          dim: model.dim,
          embeddings: vectors.map((v) => Array.from(v)),
          truncated: truncatedIndices.length > 0,
          truncatedIndices,
        };
      },
    },
    '/search': {
      method: 'POST',
      summary: 'The k indexed texts most similar to a query, best first',
      body: {
        type: 'object',
        properties: { query: text('the query'), k: k('number of results', 5) },
        required: ['query'],
        additionalProperties: false,
      },
      response: {
        type: 'object',
        properties: { results: { type: 'array', items: hit }, truncated: { type: 'boolean' } },
      },
      run: async (ctx) => {
        const index = needIndex(ctx);
        const { model } = ctx.state;
        const query = ctx.body.query as string;
        const [vector] = await model.embed([query]);
        const results = await index.search(vector!, (ctx.body.k as number | undefined) ?? 5);
        return { results, truncated: isTruncated(model, query) };
      },
    },
    '/match': {
      method: 'POST',
      summary: 'The best indexed text if it reaches the threshold, else no match',
      body: {
        type: 'object',
        properties: { text: text('the text to match'), threshold },
        required: ['text'],
        additionalProperties: false,
      },
      response: {
        type: 'object',
        properties: {
          match: { oneOf: [hit, { type: 'null' }] },
          best: { oneOf: [hit, { type: 'null' }] },
          threshold: num,
          truncated: { type: 'boolean' },
        },
      },
      run: async (ctx) => {
        const index = needIndex(ctx);
        const { model } = ctx.state;
        const t = ctx.body.text as string;
        const threshold = thresholdOf(ctx);
        if (threshold === undefined) {
          throw httpError(
            501,
            'E_NO_THRESHOLD',
            'this model has no threshold: calibrateThreshold(model, labelledPairs) before saving it, start the server with createHandler({ threshold }), or send one',
          );
        }
        const [vector] = await model.embed([t]);
        const [best] = await index.search(vector!, 1);
        return {
          match: best && best.score >= threshold ? best : null,
          best: best ?? null,
          threshold,
          truncated: isTruncated(model, t),
        };
      },
    },
    '/classify': {
      method: 'POST',
      summary:
        'Few-shot classification with reject: the label whose examples are most similar, if above the threshold',
      body: {
        type: 'object',
        properties: {
          text: text('the text to classify'),
          examples: {
            type: 'array',
            items: {
              type: 'object',
              properties: { text: { type: 'string' }, label },
              required: ['text', 'label'],
              additionalProperties: false,
            },
            minItems: 1,
            maxItems: limits.examples,
            description: 'labelled examples; default: the server’s',
          },
          k: k(
            'examples per label that count (or, with a knn classifier, neighbours that vote); default: the saved classifier’s, else 3',
            3,
          ),
          threshold,
        },
        required: ['text'],
        additionalProperties: false,
      },
      response: {
        type: 'object',
        properties: {
          label: { oneOf: [label, { type: 'null' }] },
          rejected: { type: 'boolean' },
          best: { type: 'object', properties: { label, score: num } },
          scores: { type: 'object', additionalProperties: num },
          threshold: { oneOf: [num, { type: 'null' }] },
          truncated: { type: 'boolean' },
        },
      },
      run: async (ctx) => {
        const { model } = ctx.state;
        const given = ctx.body.examples as LabelledText[] | undefined;
        // The server's classifier (its examples embedded once) unless the request brings its own examples.
        const server = given ? undefined : ctx.state.classifier;
        if (!given && !server) {
          throw httpError(
            400,
            'E_SCHEMA',
            '"examples": expected labelled examples [{text, label}], found none (this server has no default examples and its model no saved classifier)',
            { field: 'examples' },
          );
        }
        const t = ctx.body.text as string;
        const value = thresholdOf(ctx, server);
        const options = {
          k: ctx.body.k as number | undefined,
          threshold: value ?? Number.NEGATIVE_INFINITY,
        };
        const result: ClassifyResult = server
          ? await server.classify(t, options)
          : await classify(model, t, given!, { ...options, k: options.k ?? 3 });
        return {
          label: result.label,
          rejected: result.rejected,
          best: { label: result.best, score: result.score },
          scores: result.scores,
          threshold: value ?? null,
          truncated: isTruncated(model, t),
        };
      },
    },
    '/index/add': {
      method: 'POST',
      summary: 'Embeds texts and adds them to the index (needs the bearer token)',
      write: true,
      body: {
        type: 'object',
        properties: { texts: texts('texts to add') },
        required: ['texts'],
        additionalProperties: false,
      },
      response: {
        type: 'object',
        properties: {
          ids: { type: 'array', items: { type: ['integer', 'string'] } },
          count: { type: 'integer' },
        },
      },
      run: async (ctx) => {
        const index = needIndex(ctx);
        if (typeof index.add !== 'function') {
          throw httpError(
            501,
            'E_READ_ONLY',
            'this server’s index cannot add vectors (it has no add method)',
          );
        }
        const list = ctx.body.texts as string[];
        const ids = await index.add(await ctx.state.model.embedMatrix(list), list);
        return { ids: [...ids], count: await indexCount(index) };
      },
    },
    '/index/remove': {
      method: 'POST',
      summary: 'Removes vectors from the index by id (needs the bearer token)',
      write: true,
      body: {
        type: 'object',
        properties: {
          ids: {
            type: 'array',
            items: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            minItems: 1,
            maxItems: limits.texts,
            description: 'ids that /index/add returned (the `index` of search hits)',
          },
        },
        required: ['ids'],
        additionalProperties: false,
      },
      response: {
        type: 'object',
        properties: { removed: { type: 'integer' }, count: { type: 'integer' } },
      },
      run: async (ctx) => {
        const index = needIndex(ctx);
        if (typeof index.remove !== 'function') {
          throw httpError(
            501,
            'E_READ_ONLY',
            'this server’s index cannot remove vectors (it has no remove method)',
          );
        }
        const removed = await index.remove(ctx.body.ids as number[]);
        return { removed, count: await indexCount(index) };
      },
    },
  };
}
