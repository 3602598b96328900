/**
 * @siamese/serve: a siamese model as an HTTP service. `createHandler` returns a standard `Request` → `Response`
 * handler that runs unchanged on Cloudflare Workers, Deno, Bun and Node (`@siamese/serve/node`).
 *
 * @packageDocumentation
 */
export type { ServeErrorCode } from './errors.js';
export { createHandler, type SiameseHandler } from './handler.js';
export { API_VERSION } from './openapi.js';
export type { HandlerOptions, ServeAuth, ServeIndex, ServeLimits } from './options.js';
