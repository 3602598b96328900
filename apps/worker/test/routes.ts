// Functional checks of every route and error, shared by the Worker, Deno and Bun tests (the same @siamese/serve
// handler, the same answers). Each case takes the base URL of a running server.
import { expect } from 'vitest';

/** POSTs `body` (JSON-encoded unless a string) and returns status, headers and parsed JSON. */
export async function call(
  base: string,
  path: string,
  body?: unknown,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...init,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

function expectError(r: { status: number; json: any }, status: number, code: string, field?: string): void {
  expect(r.status).toBe(status);
  expect(r.json.error.code).toBe(code);
  expect(typeof r.json.error.message).toBe('string');
  if (field) {
    expect(r.json.error.field).toBe(field);
    expect(r.json.error.message).toContain(`"${field}`);
  }
}

const GUITAR = 'A man is playing a guitar.';
const LONG = Array.from({ length: 200 }, (_, i) => `word${i % 7} guitar`).join(' ');

/** What the served model is (read when a case runs, so a test may fill it in once its model is trained). */
export interface Served {
  dim: number;
  maxLength: number;
  references: number;
}

/** The tiny mean-pool model of src/tiny-model.ts (the Deno and Bun apps serve it). */
export const TINY: Served = { dim: 64, maxLength: 32, references: 50 };

/** The cases for a server of `served`: `[name, check(baseUrl)]`. */
export const routeCases = (served: Served): [string, (base: string) => Promise<void>][] => [
  [
    'GET /health: model id, format version, backend wasm, numTensors in debug',
    async (base) => {
      const r = await call(base, '/health');
      expect(r.status).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.json.ok).toBe(true);
      expect(r.json.model.id).toMatch(/^[0-9a-f]{12}$/);
      expect(r.json.model.formatVersion).toBe(3); // the newest model format the server reads (3: a saved classifier)
      expect(r.json.model.dim).toBe(served.dim);
      expect(r.json.model.maxLength).toBe(served.maxLength);
      expect(r.json.model.similarity).toBe('cosine');
      expect(r.json.model.threshold.metric).toBe('f1');
      expect(r.json.backend).toBe('wasm');
      expect(r.json.references).toBe(served.references);
      expect(Number.isInteger(r.json.numTensors)).toBe(true);
    },
  ],
  [
    'POST /similarity: identical texts score 1, related > unrelated',
    async (base) => {
      const same = await call(base, '/similarity', { a: GUITAR, b: GUITAR });
      expect(same.status).toBe(200);
      expect(same.json.similarity).toBeCloseTo(1, 5);
      expect(same.json.truncated).toBe(false);
      const related = await call(base, '/similarity', { a: GUITAR, b: 'A man plays the guitar.' });
      const unrelated = await call(base, '/similarity', { a: GUITAR, b: 'The stock market fell sharply.' });
      expect(related.json.similarity).toBeGreaterThan(unrelated.json.similarity);
    },
  ],
  [
    'POST /embed: one vector per text, texts over maxLength reported truncated',
    async (base) => {
      const r = await call(base, '/embed', { texts: [GUITAR, '', LONG] });
      expect(r.status).toBe(200);
      expect(r.json.dim).toBe(served.dim);
      expect(r.json.embeddings).toHaveLength(3);
      for (const v of r.json.embeddings) {
        expect(v).toHaveLength(served.dim);
        expect(v.every((x: unknown) => typeof x === 'number' && Number.isFinite(x))).toBe(true);
      }
      expect(r.json.truncated).toBe(true);
      expect(r.json.truncatedIndices).toEqual([2]);
      // The vectors are the model's: their cosine is what /similarity answers for the same texts.
      const pair = await call(base, '/embed', { texts: [GUITAR, 'A man plays the guitar.'] });
      const [u, v] = pair.json.embeddings as number[][];
      const dot = u!.reduce((s, x, i) => s + x * v![i]!, 0);
      const norm = (w: number[]) => Math.sqrt(w.reduce((s, x) => s + x * x, 0));
      const sim = await call(base, '/similarity', { a: GUITAR, b: 'A man plays the guitar.' });
      expect(Math.abs(dot / (norm(u!) * norm(v!)) - sim.json.similarity)).toBeLessThan(1e-6);
    },
  ],
  [
    'POST /search: k best references, best first; a reference finds itself',
    async (base) => {
      const health = await call(base, '/health');
      expect(health.json.references).toBe(served.references);
      const r = await call(base, '/search', { query: 'A man plays the guitar.', k: 3 });
      expect(r.status).toBe(200);
      expect(r.json.results).toHaveLength(3);
      const [top, second, third] = r.json.results;
      expect(top.text).toBe('A man plays the guitar.');
      expect(top.score).toBeCloseTo(1, 5);
      expect(top.score).toBeGreaterThanOrEqual(second.score);
      expect(second.score).toBeGreaterThanOrEqual(third.score);
      expect(Number.isInteger(top.index)).toBe(true);
      const byDefault = await call(base, '/search', { query: GUITAR });
      expect(byDefault.json.results).toHaveLength(5);
      const long = await call(base, '/search', { query: LONG, k: 1 });
      expect(long.json.truncated).toBe(true);
    },
  ],
  [
    'POST /match: a reference matches itself above the calibrated threshold',
    async (base) => {
      const r = await call(base, '/match', { text: 'A man plays the guitar.' });
      expect(r.status).toBe(200);
      expect(r.json.match.text).toBe('A man plays the guitar.');
      expect(r.json.best).toEqual(r.json.match);
      const threshold = (await call(base, '/health')).json.model.threshold.value;
      expect(r.json.threshold).toBeCloseTo(threshold, 10);
      expect(r.json.truncated).toBe(false);
      // Unknown words only: measured best 0.372 against a threshold of 0.602.
      const none = await call(base, '/match', { text: 'xqzv wplk' });
      expect(none.status).toBe(200);
      expect(none.json.match).toBeNull();
      expect(none.json.best.score).toBeLessThan(none.json.threshold);
    },
  ],
  [
    'POST /classify: few-shot labels from examples, rejected under the threshold',
    async (base) => {
      const examples = [
        { text: 'A man is playing a guitar.', label: 'music' },
        { text: 'A woman plays the violin.', label: 'music' },
        { text: 'A woman is slicing an onion.', label: 'cooking' },
        { text: 'A man is cutting vegetables.', label: 'cooking' },
      ];
      const r = await call(base, '/classify', { text: 'A man plays the guitar.', examples });
      expect(r.status).toBe(200);
      expect(r.json.best.label).toBe('music');
      expect(r.json.scores.music).toBeGreaterThan(r.json.scores.cooking);
      const threshold = (await call(base, '/health')).json.model.threshold.value;
      expect(r.json.threshold).toBeCloseTo(threshold, 10);
      // Rejected exactly when the best label's score is under the model's calibrated threshold.
      expect(r.json.label).toBe(r.json.best.score >= threshold ? 'music' : null);
      const open = await call(base, '/classify', {
        text: 'A man plays the guitar.',
        examples,
        threshold: -1,
      });
      expect(open.json.label).toBe('music');
      const strict = await call(base, '/classify', {
        text: 'A man plays the guitar.',
        examples,
        threshold: 1.01,
      });
      expect(strict.json.label).toBeNull();
      expect(strict.json.best.label).toBe('music');
      const one = await call(base, '/classify', { text: 'A woman is slicing an onion.', examples, k: 1 });
      expect(one.json.label).toBe('cooking');
      expect(one.json.best.score).toBeCloseTo(1, 5);
    },
  ],
  [
    'GET /openapi.json: every route with its request schema',
    async (base) => {
      const r = await call(base, '/openapi.json');
      expect(r.status).toBe(200);
      expect(r.json.openapi).toBe('3.1.0');
      for (const path of [
        '/similarity',
        '/embed',
        '/search',
        '/match',
        '/classify',
        '/health',
        '/index/add',
      ]) {
        expect(r.json.paths[path], path).toBeDefined();
      }
      const embed = r.json.paths['/embed'].post.requestBody.content['application/json'].schema;
      expect(embed.properties.texts.maxItems).toBe(64);
    },
  ],
  [
    'OPTIONS preflight: 204 with CORS headers',
    async (base) => {
      const res = await fetch(`${base}/similarity`, {
        method: 'OPTIONS',
        headers: { origin: 'https://example.test', 'access-control-request-method': 'POST' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')).toContain('content-type');
    },
  ],
  [
    'errors: 404 unknown route, 405 wrong method, 415 content type',
    async (base) => {
      expectError(await call(base, '/nope'), 404, 'E_NOT_FOUND');
      const wrong = await call(base, '/similarity');
      expectError(wrong, 405, 'E_METHOD');
      expect(wrong.headers.get('allow')).toBe('POST, OPTIONS');
      expectError(await call(base, '/health', {}), 405, 'E_METHOD');
      const res = await call(base, '/similarity', undefined, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"a":"x","b":"y"}',
      });
      expectError(res, 415, 'E_CONTENT_TYPE');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    },
  ],
  [
    'errors: 400 invalid JSON or schema, naming the field',
    async (base) => {
      expectError(await call(base, '/similarity', '{"a": "x",'), 400, 'E_JSON');
      expectError(await call(base, '/similarity', '[1, 2]'), 400, 'E_SCHEMA');
      expectError(await call(base, '/similarity', { a: 'x' }), 400, 'E_SCHEMA', 'b');
      expectError(await call(base, '/similarity', { a: 3, b: 'y' }), 400, 'E_SCHEMA', 'a');
      expectError(await call(base, '/embed', { texts: 'x' }), 400, 'E_SCHEMA', 'texts');
      expectError(await call(base, '/embed', { texts: [] }), 400, 'E_SCHEMA', 'texts');
      expectError(await call(base, '/embed', { texts: Array(65).fill('x') }), 400, 'E_SCHEMA', 'texts');
      const item = await call(base, '/embed', { texts: ['x', null] });
      expectError(item, 400, 'E_SCHEMA', 'texts');
      expect(item.json.error.message).toContain('texts[1]');
      expectError(await call(base, '/search', { query: 'x', k: 0 }), 400, 'E_SCHEMA', 'k');
      expectError(await call(base, '/search', { query: 'x', k: 1.5 }), 400, 'E_SCHEMA', 'k');
      expectError(await call(base, '/search', { query: 'x', k: '3' }), 400, 'E_SCHEMA', 'k');
      expectError(await call(base, '/search', { k: 3 }), 400, 'E_SCHEMA', 'query');
      expectError(await call(base, '/match', { text: ['x'] }), 400, 'E_SCHEMA', 'text');
      expectError(await call(base, '/search', { query: 'x', topK: 3 }), 400, 'E_SCHEMA', 'topK');
      expectError(await call(base, '/classify', { text: 'x' }), 400, 'E_SCHEMA', 'examples');
      // Writes are off: the apps configure no token.
      expectError(await call(base, '/index/add', { texts: ['x'] }), 403, 'E_FORBIDDEN');
    },
  ],
  [
    'errors: 413 past 64 KiB (declared or streamed), and no 500 for user input',
    async (base) => {
      const big = JSON.stringify({ a: 'x'.repeat(70_000), b: 'y' });
      expectError(await call(base, '/similarity', big), 413, 'E_TOO_LARGE');
      const streamed = new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(4096)));
          c.close();
        },
      });
      const r = await call(base, '/embed', undefined, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: streamed,
        duplex: 'half',
      } as RequestInit);
      expectError(r, 413, 'E_TOO_LARGE');
      // Just under the limit: accepted, and the long text is truncated to the model's maxLength.
      const nearLimit = await call(base, '/similarity', { a: 'guitar '.repeat(9000), b: GUITAR });
      expect(nearLimit.status).toBe(200);
      expect(nearLimit.json.truncated).toBe(true);
      for (const body of ['', 'null', '"x"', '{"texts": {"0": "a"}}', '{"query": "\\ud800"}']) {
        for (const path of ['/similarity', '/embed', '/search', '/match', '/classify']) {
          const res = await call(base, path, body);
          expect(res.status, `${path} ${body}`).toBeLessThan(500);
        }
      }
    },
  ],
];
