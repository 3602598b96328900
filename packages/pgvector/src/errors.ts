/**
 * The codes `@siamese/pgvector` throws (always as a `SiameseError` from `@siamese/core`; bad arguments are
 * core's `E_INVALID_ARGUMENT`):
 * - `E_STORE_MISMATCH`: the table exists with another dimension or similarity (or was not made by this store).
 * - `E_STORE_QUERY`: the database refused a statement (`cause` holds the driver's error, `details.sql` the SQL).
 */
export type PgVectorErrorCode = 'E_STORE_MISMATCH' | 'E_STORE_QUERY';
