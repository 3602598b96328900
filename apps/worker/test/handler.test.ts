// The service's failure paths, called in-process (no server): a model without a threshold (501), a bug inside a
// route (500, no internals leaked), HEAD on GET routes, and the Worker's init failure (503, retried next request).
import { createModel, initBackend, type SiameseModel } from '@siamese/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createState, handle, type ServiceState } from '../src/handler.ts';

// worker.ts bundles the model and the references as modules, and starts the service through service.ts: the
// first init fails, the next one succeeds (the Worker must retry, not cache the failure).
let initCalls = 0;
let goodState: ServiceState | undefined;
vi.mock('../model/model.bin', () => ({ default: new Uint8Array(0) }));
vi.mock('../model/references.json', () => ({ default: [] }));
vi.mock('../src/service.ts', () => ({
  initService: async () => {
    initCalls++;
    if (initCalls === 1) throw new Error('simulated: the wasm binary could not be compiled');
    return goodState!;
  },
}));

let model: SiameseModel;
let state: ServiceState;
const post = (path: string, body: unknown) =>
  new Request(`http://service.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  await initBackend();
  model = createModel({
    preset: 'meanpool',
    texts: ['a man plays a guitar', 'dogs run'],
    hidden: 8,
    seed: 1,
  });
  state = await createState(model, ['a man plays a guitar', 'dogs run'], 'wasm', performance.now());
  goodState = state;
});
afterAll(() => model.dispose());

describe('service failure paths', () => {
  it('POST /match on a model saved without a threshold: 501 E_NO_THRESHOLD', async () => {
    expect(model.threshold).toBeNull();
    const res = await handle(post('/match', { text: 'a man plays a guitar' }), state);
    expect(res.status).toBe(501);
    expect((await res.json()).error.code).toBe('E_NO_THRESHOLD');
  });

  it('a bug inside a route is a 500 E_INTERNAL that leaks no internals', async () => {
    const broken = {
      ...state,
      model: {
        ...state.model,
        tokenizer: state.model.tokenizer,
        similarity: () => Promise.reject(new TypeError('secret internals: x is undefined')),
      } as unknown as SiameseModel,
    };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await handle(post('/similarity', { a: 'x', b: 'y' }), broken);
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error).toEqual({ code: 'E_INTERNAL', message: 'internal error' });
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });

  it('HEAD on a GET route answers like GET; HEAD on a POST route is 405', async () => {
    const head = await handle(new Request('http://service.test/health', { method: 'HEAD' }), state);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('application/json');
    const wrong = await handle(new Request('http://service.test/similarity', { method: 'HEAD' }), state);
    expect(wrong.status).toBe(405);
    expect((await wrong.json()).error.code).toBe('E_METHOD');
  });

  it('the Worker answers 503 E_INIT when the model cannot start, and retries on the next request', async () => {
    const worker = (await import('../src/worker.ts')).default;
    const first = await worker.fetch(new Request('http://service.test/health'), {});
    expect(first.status).toBe(503);
    const body = await first.json();
    expect(body.error.code).toBe('E_INIT');
    expect(body.error.message).toContain('could not be compiled');
    const second = await worker.fetch(new Request('http://service.test/health'), {});
    expect(second.status).toBe(200);
    expect((await second.json()).ok).toBe(true);
    expect(initCalls).toBe(2);
    // Initialised once: later requests reuse the state.
    await worker.fetch(new Request('http://service.test/health'), {});
    expect(initCalls).toBe(2);
  });
});
