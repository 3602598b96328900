// serveNode: the handler behind node:http on 127.0.0.1, through real sockets (streamed bodies, HEAD, CORS headers).
import { request as httpRequest } from 'node:http';
import { SiameseError } from '@siamese/core';
import { createModel, initBackend, type SiameseModel } from '@siamese/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../src/index.js';
import { type NodeServer, serveNode } from '../src/node.js';

let model: SiameseModel;
let server: NodeServer;

beforeAll(async () => {
  await initBackend();
  model = createModel({
    preset: 'meanpool',
    texts: ['a man plays a guitar', 'dogs run'],
    hidden: 8,
    seed: 3,
  });
  server = await serveNode(createHandler({ model, index: ['a man plays a guitar', 'dogs run'] }), {
    port: 0,
  });
});
afterAll(async () => {
  await server?.close();
  model.dispose();
});

describe('serveNode', () => {
  it('listens on 127.0.0.1 on a free port and answers every route like the handler', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('access-control-allow-origin')).toBe('*');
    expect((await health.json()).references).toBe(2);
    const search = await fetch(`${server.url}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'dogs run', k: 1 }),
    });
    const body = await search.json();
    expect(body.results[0].text).toBe('dogs run');
    expect(body.results[0].score).toBeCloseTo(1, 5);
  });

  it('a chunked body past the limit is a 413, not a reset connection', async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}/embed`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(4096));
      req.end();
    });
    expect(status.status).toBe(413);
    expect(JSON.parse(status.body).error.code).toBe('E_TOO_LARGE');
  });

  it('HEAD answers headers only', async () => {
    const res = await fetch(`${server.url}/health`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('a model that cannot start fails serveNode itself; a bad port is E_INVALID_ARGUMENT', async () => {
    const broken = createHandler({ model: () => Promise.reject(new Error('no such model: nowhere/')) });
    await expect(serveNode(broken, { port: 0 })).rejects.toThrow('no such model');
    await expect(serveNode(broken, { port: 70_000 })).rejects.toSatisfy((e) =>
      SiameseError.is(e, 'E_INVALID_ARGUMENT'),
    );
  });
});
