// The HTTP side of errors and answers: every error the service answers is a `SiameseError` whose details carry the
// status (and the field at fault); `errorResponse` turns it into `{error: {code, message, field?}}`.
import { SiameseError } from '@siamese/core';
import type { ServeErrorCode } from './errors.js';

/** What an HTTP error carries besides its code and message. */
export interface HttpDetails {
  status: number;
  /** The top-level request field at fault. */
  field?: string;
  /** Extra response headers (`allow` on 405, `www-authenticate` on 401). */
  headers?: Record<string, string>;
}

/** A `SiameseError` answered with `status` (4xx: the caller's mistake; 5xx: the server's state). */
export function httpError(
  status: number,
  code: ServeErrorCode,
  message: string,
  extra: { field?: string; headers?: Record<string, string> } = {},
): SiameseError<ServeErrorCode> {
  return new SiameseError(code, message, { details: { status, ...extra } satisfies HttpDetails });
}

/** The HTTP details of an error the service raised on purpose, or `undefined` for anything else. */
export function httpDetails(e: unknown): HttpDetails | undefined {
  if (!SiameseError.is(e)) return undefined;
  const status = e.details?.status;
  return typeof status === 'number' ? (e.details as unknown as HttpDetails) : undefined;
}

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** The JSON error answer of an error with {@link HttpDetails}. */
export function errorResponse(e: SiameseError, details: HttpDetails): Response {
  const error = { code: e.code, message: e.message, ...(details.field ? { field: details.field } : {}) };
  return json({ error }, details.status, details.headers);
}
