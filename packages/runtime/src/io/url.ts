// Fetching model parts over HTTP without trusting the server or the manifest: http(s) only, the manifest's own
// origin unless more are allowed, redirects followed by hand (each hop checked), a byte cap and a timeout.
import { SiameseError } from '@siamese/core';
import { type DeclaredLength, readBodyCapped } from './limits.js';

/** Options of one capped fetch. */
export interface FetchPolicy {
  /** Origins (`https://cdn.example.com`) besides the first URL's own that requests and redirects may reach. */
  allowedOrigins: ReadonlySet<string>;
  maxBytes: number;
  /** The option that sets `maxBytes`, named in the error. */
  option: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** How the body declares its own length (a single-file model's header): the cap drops to it. */
  declared?: DeclaredLength;
}

const MAX_REDIRECTS = 5;

/** The origins a load may reach: the first URL's own plus `extra` (each parsed, so `https://a.com/` works). */
export function originsFor(first: URL, extra: readonly string[] | undefined): Set<string> {
  const out = new Set([first.origin]);
  for (const o of extra ?? []) {
    if (o === '*') out.add('*');
    else {
      try {
        out.add(new URL(o).origin);
      } catch (e) {
        throw SiameseError.expected(
          'E_INVALID_ARGUMENT',
          'loadModel: allowedOrigins',
          'origins such as "https://cdn.example.com" or "*"',
          JSON.stringify(o),
          { cause: e },
        );
      }
    }
  }
  return out;
}

/** Refuses a URL that is not http(s) or whose origin is not allowed. */
export function checkUrl(url: URL, policy: Pick<FetchPolicy, 'allowedOrigins'>, what: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw SiameseError.expected('E_MODEL_URL', what, 'an http: or https: URL', url.href.slice(0, 200));
  }
  if (!policy.allowedOrigins.has('*') && !policy.allowedOrigins.has(url.origin)) {
    throw new SiameseError(
      'E_MODEL_CROSS_ORIGIN',
      `${what}: ${url.href.slice(0, 200)} is on ${url.origin}, outside the allowed origins (${[...policy.allowedOrigins].join(', ')}); pass allowedOrigins: ['${url.origin}'] to loadModel if you trust it`,
      { details: { url: url.href, origin: url.origin, allowed: [...policy.allowedOrigins] } },
    );
  }
}

/** GETs `url` under `policy` and returns its body (at most `policy.maxBytes` bytes). */
export async function fetchCapped(url: URL, policy: FetchPolicy, what: string): Promise<Uint8Array> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), policy.timeoutMs);
  const signal = policy.signal ? anySignal([policy.signal, timeout.signal]) : timeout.signal;
  try {
    let current = url;
    for (let hop = 0; ; hop++) {
      checkUrl(current, policy, what);
      const res = await fetch(current, { redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location !== null) {
        await res.body?.cancel().catch(() => {});
        if (hop >= MAX_REDIRECTS) {
          throw new SiameseError(
            'E_MODEL_URL',
            `${what}: more than ${MAX_REDIRECTS} redirects from ${url.href}`,
          );
        }
        current = new URL(location, current);
        continue;
      }
      if (res.type === 'opaqueredirect') {
        // browsers hide manual redirects: the target is unknown, so it cannot be checked
        throw new SiameseError(
          'E_MODEL_URL',
          `${what}: ${current.href} redirects, and this runtime hides where to; load the final URL directly`,
        );
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        throw new SiameseError('E_MODEL_NOT_FOUND', `${what}: HTTP ${res.status} for ${current.href}`, {
          details: { url: current.href, status: res.status },
        });
      }
      return await readBodyCapped(
        res,
        policy.maxBytes,
        `${what} (${current.href})`,
        policy.option,
        policy.declared,
      );
    }
  } catch (e) {
    if (SiameseError.is(e)) throw e;
    if (policy.signal?.aborted) {
      throw new SiameseError('E_ABORTED', `${what}: aborted by the caller's signal`, { cause: e });
    }
    if (timeout.signal.aborted) {
      throw new SiameseError(
        'E_MODEL_TIMEOUT',
        `${what}: ${url.href} took longer than ${policy.timeoutMs} ms (limits.timeoutMs)`,
        { cause: e, details: { url: url.href, timeoutMs: policy.timeoutMs } },
      );
    }
    throw new SiameseError(
      'E_MODEL_NOT_FOUND',
      `${what}: cannot fetch ${url.href}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** `AbortSignal.any` where present (Node ≥ 20.3, Deno, Bun, Workers), else an equivalent by hand. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  const any = (AbortSignal as { any?: (s: AbortSignal[]) => AbortSignal }).any;
  if (any) return any(signals);
  const c = new AbortController();
  for (const s of signals) {
    if (s.aborted) c.abort(s.reason);
    else s.addEventListener('abort', () => c.abort(s.reason), { once: true });
  }
  return c.signal;
}
