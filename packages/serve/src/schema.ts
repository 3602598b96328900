// The request schemas: a small subset of JSON Schema, enough for this API. One description serves twice: `check`
// validates request bodies with it, and the OpenAPI document (`/openapi.json`) publishes it unchanged, so the
// documented contract and the enforced one cannot drift apart.
import { httpError } from './http.js';

/** A JSON Schema node of the subset the service validates. */
export type Schema =
  | { type: 'string'; description?: string }
  | { type: 'number'; description?: string }
  | { type: 'integer'; minimum: number; maximum: number; default?: number; description?: string }
  | { type: readonly ['string', 'number']; description?: string }
  | { type: 'array'; items: Schema; minItems?: number; maxItems?: number; description?: string }
  | ObjectSchema;

/** An object with named fields; unknown fields are rejected (a typo should not be silently ignored). */
export interface ObjectSchema {
  type: 'object';
  properties: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties: false;
  description?: string;
}

/** `null`, `array`, `a number (3.5)` or the `typeof`, for messages. */
function found(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

const pathOf = (path: readonly (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

/**
 * Validates `value` against `schema` and returns it typed as `T`; the first mismatch is a 400 `E_SCHEMA` error
 * whose message names the path (`"texts[1]": expected a string, found null`) and whose `field` is the top-level
 * field.
 */
export function check<T>(value: unknown, schema: Schema, path: (string | number)[] = []): T {
  const fail = (expected: string, got: string = found(value)): never => {
    const where = path.length ? `"${pathOf(path)}"` : 'body';
    throw httpError(400, 'E_SCHEMA', `${where}: expected ${expected}, found ${got}`, {
      ...(typeof path[0] === 'string' ? { field: path[0] } : {}),
    });
  };
  if (typeof schema.type !== 'string') {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))))
      fail('a string or a number');
  } else if (schema.type === 'string') {
    if (typeof value !== 'string') fail('a string');
  } else if (schema.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail('a finite number');
  } else if (schema.type === 'integer') {
    const range = `an integer from ${schema.minimum} to ${schema.maximum}`;
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(range);
    if ((value as number) < schema.minimum || (value as number) > schema.maximum) fail(range);
  } else if (schema.type === 'array') {
    if (!Array.isArray(value)) fail(`an array`);
    const items = value as unknown[];
    const min = schema.minItems ?? 0;
    const max = schema.maxItems ?? Number.POSITIVE_INFINITY;
    if (items.length < min || items.length > max) {
      fail(
        max === Number.POSITIVE_INFINITY ? `at least ${min} items` : `${min} to ${max} items`,
        `${items.length}`,
      );
    }
    items.forEach((item, i) => {
      check(item, schema.items, [...path, i]);
    });
  } else {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('an object');
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Object.hasOwn(schema.properties, key)) {
        const known = Object.keys(schema.properties).join(', ');
        throw httpError(400, 'E_SCHEMA', `"${pathOf([...path, key])}": unknown field (expected ${known})`, {
          field: typeof path[0] === 'string' ? path[0] : key,
        });
      }
    }
    for (const key of schema.required ?? []) {
      if (record[key] === undefined) check(undefined, schema.properties[key]!, [...path, key]);
    }
    for (const [key, child] of Object.entries(schema.properties)) {
      if (record[key] !== undefined) check(record[key], child, [...path, key]);
    }
  }
  return value as T;
}
