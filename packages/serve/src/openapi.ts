// The OpenAPI 3.1 document served at `/openapi.json`, built from the route table: the request schemas in it are
// the very ones the handler validates with.
import type { Route } from './routes.js';

/** Version of the HTTP API (the routes and their shapes), independent of the package version. */
export const API_VERSION = '1.0.0';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'stable code, e.g. E_SCHEMA' },
        message: { type: 'string', description: 'what was expected, what was found' },
        field: { type: 'string', description: 'the request field at fault' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** The OpenAPI document of `routes`; `protectAll` marks every route as needing the bearer token. */
export function openApiDocument(routes: Record<string, Route>, protectAll: boolean): Record<string, unknown> {
  const error = {
    description: 'an error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  const paths = Object.fromEntries(
    Object.entries(routes).map(([path, route]) => [
      path,
      {
        [route.method.toLowerCase()]: {
          operationId: path.slice(1).replace(/[/.]/g, '_'),
          summary: route.summary,
          ...(route.body
            ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } }
            : {}),
          ...(route.write || protectAll ? { security: [{ bearer: [] }] } : {}),
          responses: {
            '200': { description: 'the answer', content: { 'application/json': { schema: route.response } } },
            '4XX': error,
            '5XX': error,
          },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'siamese text similarity',
      version: API_VERSION,
      description:
        'Similarity, embeddings, search, matching and few-shot classification with a siamese model.',
    },
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
