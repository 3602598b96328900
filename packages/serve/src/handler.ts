// `createHandler`: one standard `Request` → `Response` function for every runtime (Workers, Deno, Bun, Node).
import { readJson } from './body.js';
import { errorResponse, httpDetails, httpError, json } from './http.js';
import { openApiDocument } from './openapi.js';
import { type HandlerOptions, resolveLimits, resolveTokens } from './options.js';
import { type Route, routeTable } from './routes.js';
import { check } from './schema.js';
import { type ServeState, startState } from './state.js';

/** What {@link createHandler} returns: a `fetch` for any runtime, and `ready` to start before serving. */
export interface SiameseHandler {
  /**
   * Answers one request. Bad input is a 4xx JSON error naming the field (`{error: {code, message, field?}}`);
   * only a bug is a 500, logged and answered without internals. Workers: `export default handler`.
   */
  fetch(request: Request): Promise<Response>;
  /** Starts the model and the index now (servers call it before listening); rejects with the start error. */
  ready(): Promise<void>;
}

/** Compares tokens in time independent of where they differ. */
function sameToken(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/**
 * A runtime-neutral HTTP service for a model: `GET /health`, `GET /openapi.json`, `POST /similarity`, `/embed`,
 * `/search`, `/match`, `/classify`, and the write routes `POST /index/add` and `/index/remove` (bearer token). JSON in and out,
 * validated bodies, body limits, CORS, and typed errors with stable codes (`ServeErrorCode`).
 *
 * @example
 * ```ts
 * import { createHandler } from '@siamese/serve';
 * import { loadModel } from '@siamese/runtime';
 *
 * const handler = createHandler({
 *   model: () => loadModel('demo-model'),
 *   index: ['A man plays the guitar.', 'A woman slices an onion.'],
 * });
 * Deno.serve(handler.fetch); // or Bun.serve({ fetch: handler.fetch }); Workers: export default handler
 * ```
 */
export function createHandler(options: HandlerOptions): SiameseHandler {
  const limits = resolveLimits(options.limits);
  const tokens = resolveTokens(options.auth);
  const protectAll = options.auth?.scope === 'all';
  const cors = options.cors ?? '*';
  const routes: Record<string, Route & { stateless?: boolean }> = {
    ...routeTable(limits),
    '/openapi.json': {
      method: 'GET',
      summary: 'This OpenAPI document',
      response: { type: 'object' },
      stateless: true,
      run: async () => document,
    },
  };
  const document = openApiDocument(routes, protectAll);

  // Once per process or isolate: every request awaits the same start; a failed start is retried by the next one.
  let started: Promise<ServeState> | undefined;
  const start = () => {
    if (!started) {
      started = startState(options);
      started.catch(() => {
        started = undefined;
      });
    }
    return started;
  };

  const corsHeaders = (request: Request): Record<string, string> => {
    if (cors === false) return {};
    const common = {
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '86400',
    };
    if (cors === '*') return { 'access-control-allow-origin': '*', ...common };
    const origin = request.headers.get('origin');
    return origin && cors.includes(origin)
      ? { 'access-control-allow-origin': origin, vary: 'origin', ...common }
      : { vary: 'origin' };
  };

  const authorize = (request: Request, route: Route, pathname: string): void => {
    if (route.write && tokens.length === 0) {
      throw httpError(
        403,
        'E_FORBIDDEN',
        `${pathname} changes the index, and this server has no token: start it with createHandler({ auth: { token } }) to enable writes`,
      );
    }
    if (!route.write && !protectAll) return;
    const header = request.headers.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !tokens.some((t) => sameToken(t, match[1]!))) {
      throw httpError(
        401,
        'E_UNAUTHORIZED',
        `${pathname}: expected an "Authorization: Bearer <token>" header with a valid token, found ${header ? 'a wrong one' : 'none'}`,
        { headers: { 'www-authenticate': 'Bearer realm="siamese"' } },
      );
    }
  };

  const answer = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const route = Object.hasOwn(routes, pathname) ? routes[pathname] : undefined;
    if (!route)
      throw httpError(404, 'E_NOT_FOUND', `no route ${pathname} (try ${Object.keys(routes).join(', ')})`);
    if (request.method === 'OPTIONS') return new Response(null, { status: 204 });
    if (request.method !== route.method && !(route.method === 'GET' && request.method === 'HEAD')) {
      throw httpError(405, 'E_METHOD', `${pathname}: expected ${route.method}, found ${request.method}`, {
        headers: { allow: `${route.method}${route.method === 'GET' ? ', HEAD' : ''}, OPTIONS` },
      });
    }
    authorize(request, route, pathname);
    const body = route.body
      ? check<Record<string, unknown>>(await readJson(request, limits.bodyBytes), route.body)
      : {};
    let state: ServeState | undefined;
    if (!route.stateless) {
      try {
        state = await start();
      } catch (e) {
        // Not the caller's fault: say so (the operator reads the log), and let the next request retry.
        console.error('siamese serve: start failed', e);
        throw httpError(503, 'E_INIT', `the model could not start: ${(e as Error)?.message ?? e}`);
      }
    }
    return json(await route.run({ state: state!, body, limits, options }));
  };

  return {
    async fetch(request: Request): Promise<Response> {
      let res: Response;
      try {
        res = await answer(request);
      } catch (e) {
        const details = httpDetails(e);
        if (details) res = errorResponse(e as never, details);
        else {
          // A bug, not the caller's mistake: log it for the operator, answer without internals.
          console.error('siamese serve: internal error', e);
          res = json({ error: { code: 'E_INTERNAL', message: 'internal error' } }, 500);
        }
      }
      for (const [k, v] of Object.entries(corsHeaders(request))) res.headers.set(k, v);
      return res;
    },
    async ready() {
      await start();
    },
  };
}
