/**
 * @siamese/pgvector: a `VectorStore` in Postgres with pgvector, for corpora that outgrow one process. The same SQL
 * runs on a server through `pg` (or any client with `query(text, params)`) and in-process on PGlite.
 *
 * @packageDocumentation
 */
export type { PgVectorErrorCode } from './errors.js';
export {
  type HnswOptions,
  openPgVectorStore,
  PgVectorStore,
  type PgVectorStoreOptions,
  type SqlClient,
} from './store.js';
