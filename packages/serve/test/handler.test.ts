// createHandler in-process (standard Request → Response, no server): every route's answer with real values, every
// error code, CORS, limits, auth, the OpenAPI document, custom indexes, start failures and tensor leaks.
import { SiameseError } from '@siamese/core';
import {
  buildIndex,
  createModel,
  FewShotClassifier,
  initBackend,
  modelFromBytes,
  modelToBytes,
  type SearchHit,
  type SiameseModel,
} from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler, type HandlerOptions, type ServeIndex, type SiameseHandler } from '../src/index.js';

const REFERENCES = [
  'a man plays a guitar',
  'a woman slices an onion',
  'two dogs run in a field',
  'the stock market fell sharply',
];
const TOKEN = 'test-token-0123456789';
let model: SiameseModel;
let handler: SiameseHandler;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(`http://serve.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const get = (path: string, init: RequestInit = {}) => new Request(`http://serve.test${path}`, init);

async function call(h: SiameseHandler, request: Request) {
  const res = await h.fetch(request);
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

async function expectError(
  h: SiameseHandler,
  request: Request,
  status: number,
  code: string,
  field?: string,
): Promise<{ message: string; headers: Headers }> {
  const r = await call(h, request);
  expect(r.status, JSON.stringify(r.json)).toBe(status);
  expect(r.json.error.code).toBe(code);
  expect(typeof r.json.error.message).toBe('string');
  expect(r.json.error.field).toBe(field);
  return { message: r.json.error.message, headers: r.headers };
}

beforeAll(async () => {
  await initBackend();
  model = createModel({ preset: 'meanpool', texts: REFERENCES, hidden: 16, seed: 7 });
  handler = createHandler({ model, index: REFERENCES, threshold: 0.99, debug: true });
});
afterAll(() => model.dispose());

describe('routes', () => {
  it('GET /health: the model, the backend, the index size and the tensor count', async () => {
    const r = await call(handler, get('/health'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(r.json).toMatchObject({
      ok: true,
      model: {
        dim: 16,
        maxLength: model.maxLength,
        similarity: 'cosine',
        vocabSize: model.tokenizer.vocabSize,
      },
      backend: 'wasm',
      references: 4,
    });
    expect(Number.isInteger(r.json.numTensors)).toBe(true);
    expect(r.json.initMs).toBeGreaterThanOrEqual(0);
  });

  it('POST /similarity: 1 for the same text, the cosine of the embeddings otherwise', async () => {
    const same = await call(handler, post('/similarity', { a: REFERENCES[0], b: REFERENCES[0] }));
    expect(same.status).toBe(200);
    expect(same.json.similarity).toBeCloseTo(1, 5);
    expect(same.json.truncated).toBe(false);
    const pair = await call(handler, post('/embed', { texts: [REFERENCES[0], REFERENCES[1]] }));
    const [u, v] = pair.json.embeddings as number[][];
    const dot = u!.reduce((s, x, i) => s + x * v![i]!, 0);
    const norm = (w: number[]) => Math.hypot(...w);
    const sim = await call(handler, post('/similarity', { a: REFERENCES[0], b: REFERENCES[1] }));
    expect(sim.json.similarity).toBeLessThan(0.99);
    expect(Math.abs(dot / (norm(u!) * norm(v!)) - sim.json.similarity)).toBeLessThan(1e-6);
  });

  it('POST /embed: one vector of dim numbers per text; texts over maxLength reported', async () => {
    const long = Array.from({ length: model.maxLength + 5 }, () => 'guitar').join(' ');
    const r = await call(handler, post('/embed', { texts: ['guitar', '', long] }));
    expect(r.status).toBe(200);
    expect(r.json.dim).toBe(16);
    expect(r.json.embeddings).toHaveLength(3);
    for (const e of r.json.embeddings) expect(e).toHaveLength(16);
    const direct = await model.embed(['guitar']);
    expect(r.json.embeddings[0]).toEqual(Array.from(direct[0]!));
    expect(r.json.truncatedIndices).toEqual([2]);
    expect(r.json.truncated).toBe(true);
  });

  it('POST /search: k hits best first; a reference finds itself with score 1', async () => {
    const r = await call(handler, post('/search', { query: REFERENCES[2], k: 3 }));
    expect(r.status).toBe(200);
    expect(r.json.results).toHaveLength(3);
    expect(r.json.results[0]).toMatchObject({ index: 2, text: REFERENCES[2] });
    expect(r.json.results[0].score).toBeCloseTo(1, 5);
    const scores = r.json.results.map((h: SearchHit) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect((await call(handler, post('/search', { query: 'guitar' }))).json.results).toHaveLength(4); // k 5, 4 indexed
  });

  it('POST /match: itself above the threshold; otherwise no match but the best candidate', async () => {
    const hit = await call(handler, post('/match', { text: REFERENCES[1] }));
    expect(hit.status).toBe(200);
    expect(hit.json.match).toMatchObject({ index: 1, text: REFERENCES[1] });
    expect(hit.json.best).toEqual(hit.json.match);
    expect(hit.json.threshold).toBe(0.99); // the handler's option (the model has none)
    const none = await call(handler, post('/match', { text: 'a man plays' }));
    expect(none.json.match).toBeNull();
    expect(none.json.best.score).toBeLessThan(0.99);
    expect(none.json.best.score).toBeGreaterThan(0);
    // The request may lower it.
    const low = await call(handler, post('/match', { text: 'a man plays', threshold: -1 }));
    expect(low.json.match).toEqual(low.json.best);
    expect(low.json.threshold).toBe(-1);
  });

  it('POST /classify: the label of the most similar examples, rejected under the threshold', async () => {
    const examples = [
      { text: 'a man plays a guitar', label: 'music' },
      { text: 'a woman plays a guitar', label: 'music' },
      { text: 'the stock market fell sharply', label: 'finance' },
      { text: 'stock prices fell', label: 'finance' },
    ];
    const r = await call(
      handler,
      post('/classify', { text: 'the stock market fell sharply', examples, k: 1 }),
    );
    expect(r.status).toBe(200);
    expect(r.json.label).toBe('finance');
    expect(r.json.best.label).toBe('finance');
    expect(r.json.best.score).toBeCloseTo(1, 5); // k 1: the identical example
    expect(Object.keys(r.json.scores).sort()).toEqual(['finance', 'music']);
    expect(r.json.scores.music).toBeLessThan(r.json.scores.finance);
    expect(r.json.threshold).toBe(0.99);
    // Reject: nothing is that close to an unrelated text.
    const rejected = await call(handler, post('/classify', { text: 'two dogs run', examples }));
    expect(rejected.json.label).toBeNull();
    expect(rejected.json.best.score).toBeLessThan(0.99);
    expect(['music', 'finance']).toContain(rejected.json.best.label);
    // Numeric labels stay numbers.
    const numeric = await call(
      handler,
      post('/classify', {
        text: 'stock prices fell',
        examples: examples.map((e, i) => ({ ...e, label: i < 2 ? 0 : 1 })),
        k: 1,
      }),
    );
    expect(numeric.json.label).toBe(1);
  });

  it('POST /classify: the server’s examples when the request has none', async () => {
    const h = createHandler({
      model,
      examples: [
        { text: 'a dog', label: 'animal' },
        { text: 'a guitar', label: 'music' },
      ],
    });
    const r = await call(h, post('/classify', { text: 'a dog' }));
    expect(r.json.label).toBe('animal'); // no threshold anywhere: nothing is rejected
    expect(r.json.threshold).toBeNull();
    await expectError(
      createHandler({ model }),
      post('/classify', { text: 'x' }),
      400,
      'E_SCHEMA',
      'examples',
    );
  });

  it('POST /classify: the classifier saved with the model, its examples never embedded again', async () => {
    const examples = [
      { text: 'a man plays a guitar', label: 'music' },
      { text: 'a woman plays a guitar', label: 'music' },
      { text: 'the stock market fell sharply', label: 'finance' },
      { text: 'stock prices fell', label: 'finance' },
    ];
    const built = await FewShotClassifier.create(model, examples, { k: 1, noMatchLabel: 'other' });
    await built.calibrate([
      { text: 'a man plays a guitar', label: 'music' },
      { text: 'stock prices fell', label: 'finance' },
      { text: 'two dogs run in a field', label: 'animals' }, // unknown: should be rejected
    ]);
    const saved = await modelFromBytes(await modelToBytes(model, { classifier: built }));
    const h = createHandler({ model: saved, index: REFERENCES, debug: true });
    const health = await call(h, get('/health'));
    expect(health.json.classifier).toEqual({
      examples: 4,
      labels: 2,
      k: 1,
      vote: 'mean',
      threshold: built.threshold,
      saved: true,
    });
    const spy = vi.spyOn(saved, 'embedMatrix');
    const r = await call(h, post('/classify', { text: 'stock prices fell' }));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toEqual(['stock prices fell']); // the text alone
    spy.mockRestore();
    const direct = await built.classify('stock prices fell');
    expect(r.json).toEqual({
      label: 'finance',
      rejected: false,
      best: { label: 'finance', score: direct.score },
      scores: direct.scores,
      threshold: built.threshold,
      truncated: false,
    });
    // The saved threshold and noMatchLabel: an unknown topic gets 'other'; a request threshold overrides it.
    const unknown = await call(h, post('/classify', { text: 'two dogs run in a field' }));
    expect(unknown.json).toMatchObject({ label: 'other', rejected: true, threshold: built.threshold });
    const open = await call(h, post('/classify', { text: 'two dogs run in a field', threshold: -1 }));
    expect(open.json).toMatchObject({ rejected: false, threshold: -1 });
    expect(['music', 'finance']).toContain(open.json.label);
    // A request that brings examples uses them (embedded for it), not the saved classifier.
    const own = await call(
      h,
      post('/classify', { text: 'two dogs run', examples: [{ text: 'two dogs run', label: 'dogs' }] }),
    );
    expect(own.json).toMatchObject({ label: 'dogs', best: { label: 'dogs' } });
    // Handler examples win over the saved classifier, and are embedded once, at start.
    const withExamples = createHandler({ model: saved, examples: [{ text: 'a dog', label: 'animal' }] });
    const spy2 = vi.spyOn(saved, 'embedMatrix');
    await withExamples.ready();
    await call(withExamples, post('/classify', { text: 'x' }));
    await call(withExamples, post('/classify', { text: 'y' }));
    expect(spy2.mock.calls.map((c) => c[0])).toEqual([['a dog'], ['x'], ['y']]);
    spy2.mockRestore();
    expect((await call(withExamples, get('/health'))).json.classifier).toMatchObject({ saved: false });
    // No tensors left behind by classifying.
    const before = (await call(h, get('/health'))).json.numTensors;
    await call(h, post('/classify', { text: 'a guitar' }));
    expect((await call(h, get('/health'))).json.numTensors).toBe(before);
    saved.dispose();
  });

  it('GET /openapi.json: every route, with the schemas the handler validates with', async () => {
    const h = createHandler({ model, limits: { texts: 7 } });
    const r = await call(h, get('/openapi.json'));
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    expect(Object.keys(r.json.paths).sort()).toEqual(
      [
        '/classify',
        '/embed',
        '/health',
        '/index/add',
        '/index/remove',
        '/match',
        '/openapi.json',
        '/search',
        '/similarity',
      ].sort(),
    );
    expect(
      r.json.paths['/embed'].post.requestBody.content['application/json'].schema.properties.texts.maxItems,
    ).toBe(7);
    expect(r.json.paths['/index/add'].post.security).toEqual([{ bearer: [] }]);
    expect(r.json.paths['/similarity'].post.security).toBeUndefined();
    // The documented limit is the enforced one.
    await call(h, post('/embed', { texts: Array(7).fill('x') })).then((x) => expect(x.status).toBe(200));
    await expectError(h, post('/embed', { texts: Array(8).fill('x') }), 400, 'E_SCHEMA', 'texts');
  });
});

describe('errors', () => {
  it('404 unknown route, 405 wrong method (with allow), HEAD on GET routes', async () => {
    const nf = await expectError(handler, get('/nope'), 404, 'E_NOT_FOUND');
    expect(nf.message).toContain('/similarity');
    const m = await expectError(handler, get('/similarity'), 405, 'E_METHOD');
    expect(m.headers.get('allow')).toBe('POST, OPTIONS');
    expect((await expectError(handler, post('/health', {}), 405, 'E_METHOD')).headers.get('allow')).toBe(
      'GET, HEAD, OPTIONS',
    );
    const head = await handler.fetch(get('/health', { method: 'HEAD' }));
    expect(head.status).toBe(200);
  });

  it('415 content type, 400 E_JSON, 400 E_SCHEMA naming the path', async () => {
    await expectError(
      handler,
      new Request('http://serve.test/similarity', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{}',
      }),
      415,
      'E_CONTENT_TYPE',
    );
    await expectError(handler, post('/similarity', '{"a": "x",'), 400, 'E_JSON');
    expect((await expectError(handler, post('/similarity', '[1]'), 400, 'E_SCHEMA')).message).toBe(
      'body: expected an object, found an array',
    );
    expect((await expectError(handler, post('/similarity', { a: 'x' }), 400, 'E_SCHEMA', 'b')).message).toBe(
      '"b": expected a string, found undefined',
    );
    expect(
      (await expectError(handler, post('/similarity', { a: 'x', b: 'y', c: 1 }), 400, 'E_SCHEMA', 'c'))
        .message,
    ).toBe('"c": unknown field (expected a, b)');
    expect(
      (await expectError(handler, post('/embed', { texts: ['x', null] }), 400, 'E_SCHEMA', 'texts')).message,
    ).toBe('"texts[1]": expected a string, found null');
    expect(
      (await expectError(handler, post('/embed', { texts: [] }), 400, 'E_SCHEMA', 'texts')).message,
    ).toBe('"texts": expected 1 to 64 items, found 0');
    expect(
      (await expectError(handler, post('/search', { query: 'x', k: 51 }), 400, 'E_SCHEMA', 'k')).message,
    ).toBe('"k": expected an integer from 1 to 50, found 51');
    await expectError(handler, post('/search', { query: 'x', k: 1.5 }), 400, 'E_SCHEMA', 'k');
    await expectError(
      handler,
      post('/match', { text: 'x', threshold: 'high' }),
      400,
      'E_SCHEMA',
      'threshold',
    );
    const nested = await expectError(
      handler,
      post('/classify', { text: 'x', examples: [{ text: 'a', label: 'l' }, { text: 'b' }] }),
      400,
      'E_SCHEMA',
      'examples',
    );
    expect(nested.message).toBe('"examples[1].label": expected a string or a number, found undefined');
  });

  it('413 past the body limit, declared or streamed; a custom limit', async () => {
    await expectError(handler, post('/similarity', { a: 'x'.repeat(70_000), b: 'y' }), 413, 'E_TOO_LARGE');
    const streamed = new ReadableStream({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(4096)));
        c.close();
      },
    });
    const chunked = new Request('http://serve.test/embed', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamed,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.headers.get('content-length')).toBeNull();
    await expectError(handler, chunked, 413, 'E_TOO_LARGE');
    const small = createHandler({ model, limits: { bodyBytes: 100 } });
    const tooBig = await expectError(
      small,
      post('/similarity', { a: 'x'.repeat(100), b: 'y' }),
      413,
      'E_TOO_LARGE',
    );
    expect(tooBig.message).toContain('at most 100 bytes');
  });

  it('501 E_NO_INDEX without an index; 501 E_NO_THRESHOLD without a threshold', async () => {
    const bare = createHandler({ model });
    expect((await call(bare, get('/health'))).json.references).toBe(0);
    await expectError(bare, post('/search', { query: 'x' }), 501, 'E_NO_INDEX');
    const noThreshold = createHandler({ model, index: REFERENCES });
    expect(model.threshold).toBeNull();
    await expectError(noThreshold, post('/match', { text: 'x' }), 501, 'E_NO_THRESHOLD');
  });

  it('503 E_INIT when the model cannot start, retried by the next request; started once', async () => {
    let calls = 0;
    const h = createHandler({
      model: () => {
        calls++;
        if (calls === 1) throw new Error('simulated: the model file is missing');
        return model;
      },
    });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const first = await expectError(h, get('/health'), 503, 'E_INIT');
    expect(first.message).toContain('the model file is missing');
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
    expect((await call(h, get('/health'))).status).toBe(200);
    await call(h, post('/similarity', { a: 'x', b: 'y' }));
    expect(calls).toBe(2);
    // The document needs no model.
    const lazy = createHandler({ model: () => Promise.reject(new Error('never')) });
    expect((await call(lazy, get('/openapi.json'))).status).toBe(200);
    await expect(lazy.ready()).rejects.toThrow('never');
  });

  it('500 E_INTERNAL for a bug, without internals', async () => {
    const broken = {
      dim: 16,
      similarity: 'cosine',
      search: () => {
        throw new TypeError('secret internals: x is undefined');
      },
    } satisfies ServeIndex;
    const h = createHandler({ model, index: broken });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const r = await call(h, post('/search', { query: 'x' }));
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ error: { code: 'E_INTERNAL', message: 'internal error' } });
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });

  it('user input never causes a 500 (seeded property over arbitrary JSON bodies)', async () => {
    const paths = ['/similarity', '/embed', '/search', '/match', '/classify', '/index/add', '/index/remove'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(fc.jsonValue(), fc.string()),
        async (path, body) => {
          const text = typeof body === 'string' ? body : JSON.stringify(body);
          const res = await handler.fetch(post(path, text, { authorization: `Bearer ${TOKEN}` }));
          await res.arrayBuffer();
          return res.status < 500 || res.status === 501;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('bad options are E_INVALID_ARGUMENT at createHandler, naming the option', () => {
    const bad = (options: Partial<HandlerOptions>, where: string) => {
      try {
        createHandler({ model, ...options });
        expect.unreachable();
      } catch (e) {
        expect(SiameseError.is(e, 'E_INVALID_ARGUMENT')).toBe(true);
        expect((e as Error).message).toContain(where);
      }
    };
    bad({ limits: { texts: 0 } }, 'limits.texts');
    bad({ limits: { bodyBytes: 1.5 } }, 'limits.bodyBytes');
    bad({ limits: { nope: 1 } as never }, 'limits.nope');
    bad({ auth: { token: '' } }, 'auth.token');
    bad({ auth: { token: [] } }, 'auth.token');
  });

  it('an index of other vectors is refused at start (503 E_INIT naming both)', async () => {
    const other = await buildIndex(
      createModel({ preset: 'meanpool', texts: REFERENCES, hidden: 8, seed: 1 }),
      REFERENCES,
    );
    const h = createHandler({ model, index: other });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { message } = await expectError(h, get('/health'), 503, 'E_INIT');
    expect(message).toContain('16-d vectors compared by cosine');
    expect(message).toContain('8-d');
    logged.mockRestore();
  });
});

describe('CORS and auth', () => {
  it('CORS on every answer, errors included; OPTIONS preflight 204', async () => {
    const pre = await handler.fetch(
      new Request('http://serve.test/similarity', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.test', 'access-control-request-method': 'POST' },
      }),
    );
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await handler.fetch(get('/nope'))).headers.get('access-control-allow-origin')).toBe('*');
  });

  it('an origin list echoes allowed origins only; false sends no CORS headers', async () => {
    const h = createHandler({ model, cors: ['https://app.test'] });
    const ok = await h.fetch(get('/openapi.json', { headers: { origin: 'https://app.test' } }));
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.test');
    expect(ok.headers.get('vary')).toBe('origin');
    const other = await h.fetch(get('/openapi.json', { headers: { origin: 'https://evil.test' } }));
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const none = await createHandler({ model, cors: false }).fetch(get('/openapi.json'));
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('write routes: 403 without a configured token, 401 without the right one, 200 with it', async () => {
    await expectError(handler, post('/index/add', { texts: ['x'] }), 403, 'E_FORBIDDEN');
    const index = await buildIndex(model, REFERENCES);
    const h = createHandler({ model, index, auth: { token: [TOKEN, 'another-token-42'] } });
    const missing = await expectError(h, post('/index/add', { texts: ['x'] }), 401, 'E_UNAUTHORIZED');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="siamese"');
    expect(missing.message).toContain('found none');
    const wrong = await expectError(
      h,
      post('/index/add', { texts: ['x'] }, { authorization: `Bearer ${TOKEN}x` }),
      401,
      'E_UNAUTHORIZED',
    );
    expect(wrong.message).toContain('a wrong one');
    // Reads stay open with the default scope.
    expect((await call(h, post('/search', { query: 'x' }))).status).toBe(200);
    const added = await call(
      h,
      post(
        '/index/add',
        { texts: ['a cat sleeps on the sofa'] },
        { authorization: 'Bearer another-token-42' },
      ),
    );
    expect(added.status).toBe(200);
    expect(added.json).toEqual({ ids: [4], count: 5 });
    const found = await call(h, post('/search', { query: 'a cat sleeps on the sofa', k: 1 }));
    expect(found.json.results[0]).toMatchObject({ index: 4, text: 'a cat sleeps on the sofa' });
    expect(found.json.results[0].score).toBeCloseTo(1, 5);
  });

  it('scope all protects every route; an index without add is read-only (501)', async () => {
    const h = createHandler({
      model,
      index: { dim: 16, search: async () => [] },
      auth: { token: TOKEN, scope: 'all' },
    });
    await expectError(h, get('/health'), 401, 'E_UNAUTHORIZED');
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await call(h, get('/health', { headers: auth }))).status).toBe(200);
    await expectError(h, post('/index/add', { texts: ['x'] }, auth), 501, 'E_READ_ONLY');
    expect(
      (await call(h, get('/openapi.json', { headers: auth }))).json.paths['/health'].get.security,
    ).toEqual([{ bearer: [] }]);
  });
});

describe('indexes', () => {
  it('any store with search, add, remove and count(): async answers are awaited, ids are the store’s', async () => {
    // A store with its own ids (100, 101, …) and removal, answering asynchronously like a database.
    const stored = new Map<number, { v: Float32Array; text: string }>();
    let nextId = 100;
    const store: ServeIndex & { count(): Promise<number> } = {
      dim: 16,
      similarity: 'cosine',
      count: async () => stored.size,
      add: async (vectors, texts) =>
        texts.map((text, i) => {
          stored.set(nextId, { v: vectors.slice(i * 16, (i + 1) * 16), text });
          return nextId++;
        }),
      remove: async (ids) => ids.filter((id) => stored.delete(id)).length,
      search: async (q, k) =>
        [...stored]
          .map(([id, s]) => ({ index: id, text: s.text, score: s.v.reduce((a, x, j) => a + x * q[j]!, 0) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, k),
    };
    const h = createHandler({ model, index: store, auth: { token: TOKEN } });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const added = await call(h, post('/index/add', { texts: REFERENCES }, auth));
    expect(added.json).toEqual({ ids: [100, 101, 102, 103], count: 4 });
    expect((await call(h, get('/health'))).json.references).toBe(4);
    const r = await call(h, post('/search', { query: REFERENCES[3], k: 2 }));
    expect(r.json.results[0]).toMatchObject({ index: 103, text: REFERENCES[3] });
    // Remove it: the search no longer finds it; an unknown id is skipped.
    const removed = await call(h, post('/index/remove', { ids: [103, 999] }, auth));
    expect(removed.json).toEqual({ removed: 1, count: 3 });
    const after = await call(h, post('/search', { query: REFERENCES[3], k: 3 }));
    expect(after.json.results.map((x: SearchHit) => x.index)).not.toContain(103);
    await expectError(h, post('/index/remove', { ids: [] }, auth), 400, 'E_SCHEMA', 'ids');
    await expectError(h, post('/index/remove', { ids: [-1] }, auth), 400, 'E_SCHEMA', 'ids');
    await expectError(h, post('/index/remove', { ids: [1] }), 401, 'E_UNAUTHORIZED');
  });

  it('an index without remove is read-only for /index/remove (501 E_READ_ONLY)', async () => {
    const h = createHandler({ model, index: { dim: 16, search: () => [] }, auth: { token: TOKEN } });
    const auth = { authorization: `Bearer ${TOKEN}` };
    await expectError(h, post('/index/remove', { ids: [0] }, auth), 501, 'E_READ_ONLY');
  });

  it('a model that carries a packed index serves it when no index is given', async () => {
    const index = await buildIndex(model, REFERENCES.slice(1));
    const packed = Object.create(model, { index: { value: index } }) as SiameseModel;
    const h = createHandler({ model: packed, threshold: 0.99 });
    expect((await call(h, get('/health'))).json.references).toBe(3);
    const r = await call(h, post('/match', { text: REFERENCES[2] }));
    expect(r.json.match).toMatchObject({ index: 1, text: REFERENCES[2] });
  });

  it('an index built by a function of the model', async () => {
    const h = createHandler({ model: () => model, index: (m) => buildIndex(m, REFERENCES.slice(0, 2)) });
    expect((await call(h, get('/health'))).json.references).toBe(2);
  });
});

describe('tensors', () => {
  it('no tensor leaks across every route', async () => {
    const examples = [
      { text: 'a guitar', label: 'music' },
      { text: 'stocks', label: 'finance' },
    ];
    const requests = () => [
      post('/similarity', { a: 'a man', b: 'a guitar' }),
      post('/embed', { texts: ['a', 'b c'] }),
      post('/search', { query: 'dogs' }),
      post('/match', { text: 'dogs' }),
      post('/classify', { text: 'dogs', examples }),
      post('/embed', { texts: [] }),
    ];
    for (const r of requests()) await (await handler.fetch(r)).arrayBuffer(); // warm up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) for (const r of requests()) await (await handler.fetch(r)).arrayBuffer();
    expect(tf.memory().numTensors).toBe(before);
  });
});
