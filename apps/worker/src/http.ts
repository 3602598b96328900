// JSON responses, CORS and the typed HTTP error every route throws for bad input.

/** CORS headers on every response: the API is public and stateless (no cookies). */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '86400',
};

/** An error answered as `{error: {code, message, field?}}` with an HTTP status (4xx for user input). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A JSON response with CORS headers. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...CORS_HEADERS, ...headers },
  });
}

/** The error body for an {@link HttpError}. */
export function errorResponse(e: HttpError): Response {
  const error = { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) };
  return json({ error }, e.status, e.headers);
}
