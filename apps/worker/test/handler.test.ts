// The Worker entry in-process: it wires the bundled model into @siamese/serve's handler (whose own tests cover
// every route and error). A model that cannot load answers 503 E_INIT naming the problem, and the Worker stays up.
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.mock('../model/model.siamese', () => ({ default: new TextEncoder().encode('not a model').buffer }));
const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
afterAll(() => logged.mockRestore());

describe('worker entry', () => {
  it('answers 503 E_INIT when the bundled model is corrupt, and serves the routes that need no model', async () => {
    const worker = (await import('../src/worker.ts')).default;
    for (let i = 0; i < 2; i++) {
      const res = await worker.fetch(new Request('http://worker.test/health'), {});
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.error.code).toBe('E_INIT');
      expect(body.error.message).toMatch(/model/i);
    }
    expect(logged).toHaveBeenCalledTimes(2); // retried on the second request, not cached
    const doc = await worker.fetch(new Request('http://worker.test/openapi.json'), {});
    expect(doc.status).toBe(200);
    expect(Object.keys((await doc.json()).paths)).toContain('/classify');
  });
});
