/**
 * The codes `@siamese/serve` answers with (in `{error: {code, message, field?}}`, and as the `code` of the
 * `SiameseError` behind it). `createHandler` and `serveNode` throw core's `E_INVALID_ARGUMENT` for bad options.
 * - `E_NOT_FOUND` (404): no route at that path.
 * - `E_METHOD` (405): the route exists for another method (the `allow` header lists it).
 * - `E_CONTENT_TYPE` (415): a body that is not `application/json`.
 * - `E_TOO_LARGE` (413): a body over `limits.bodyBytes` (declared or counted while streaming).
 * - `E_JSON` (400): the body is not valid JSON.
 * - `E_SCHEMA` (400): a field is missing, unknown, of the wrong type or out of range; `field` names it.
 * - `E_UNAUTHORIZED` (401): a protected route without the right `Authorization: Bearer` token.
 * - `E_FORBIDDEN` (403): a write route on a server configured without a token (writes are off by default).
 * - `E_NO_INDEX` (501): `/search`, `/match` or a write route on a server with no index.
 * - `E_NO_THRESHOLD` (501): `/match` with no threshold in the request, the options or the model (the runtime's code).
 * - `E_READ_ONLY` (501): a write route on an index that cannot add (or remove).
 * - `E_INIT` (503): the model or the index failed to start; the next request tries again.
 * - `E_INTERNAL` (500): a bug; logged with `console.error`, answered without internals.
 */
export type ServeErrorCode =
  | 'E_NOT_FOUND'
  | 'E_METHOD'
  | 'E_CONTENT_TYPE'
  | 'E_TOO_LARGE'
  | 'E_JSON'
  | 'E_SCHEMA'
  | 'E_UNAUTHORIZED'
  | 'E_FORBIDDEN'
  | 'E_NO_INDEX'
  | 'E_NO_THRESHOLD'
  | 'E_READ_ONLY'
  | 'E_INIT'
  | 'E_INTERNAL';
