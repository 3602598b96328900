/**
 * `@siamese/serve/node`: serves a handler with `node:http` (Node has no `Request`-based server of its own), so a
 * model can be tried locally without wrangler, Deno or Bun. `siamese serve` uses it.
 *
 * @example
 * ```ts
 * import { loadModel } from '@siamese/runtime';
 * import { createHandler } from '@siamese/serve';
 * import { serveNode } from '@siamese/serve/node';
 *
 * const handler = createHandler({ model: () => loadModel('demo-model') });
 * const server = await serveNode(handler, { port: 8787 });
 * console.log(`listening on ${server.url}`);
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { SiameseError } from '@siamese/core';
import type { SiameseHandler } from './handler.js';

/** Options of {@link serveNode}. */
export interface ServeNodeOptions {
  /** TCP port (default 8787; 0 picks a free one, see `url`). */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`: local only; `0.0.0.0` to accept other machines). */
  hostname?: string;
}

/** A running server. */
export interface NodeServer {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Stops accepting connections and resolves when the open ones are done. */
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, base: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', base), {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}

async function send(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body && !head) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  }
  res.end();
}

/**
 * Starts the handler's model (so a bad model fails here, not on the first request), then listens. Resolves with
 * the server's URL once it accepts connections.
 */
export async function serveNode(
  handler: SiameseHandler,
  options: ServeNodeOptions = {},
): Promise<NodeServer> {
  const port = options.port ?? 8787;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'serveNode: port',
      'an integer from 0 to 65535',
      String(port),
    );
  }
  const hostname = options.hostname ?? '127.0.0.1';
  await handler.ready();
  let base = '';
  const server = createServer((req, res) => {
    handler
      .fetch(toRequest(req, base))
      .then((response) => send(res, response, req.method === 'HEAD'))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  base = `http://${host}:${address.port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
