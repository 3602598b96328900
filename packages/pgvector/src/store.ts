import { SiameseError } from '@siamese/core';
import type { SearchHit, VectorSearchOptions, VectorStore } from '@siamese/runtime';
import type { PgVectorErrorCode } from './errors.js';

/** How vectors compare (the model's `similarity`). */
type Similarity = VectorStore['similarity'];

/**
 * What the store needs of a database connection: `query(text, params)` resolving to `{ rows }`. A `pg` `Pool` or
 * `Client` and a PGlite instance all fit as they are.
 */
export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** How an HNSW index is built (pgvector's defaults: `m` 16, `efConstruction` 64). */
export interface HnswOptions {
  m?: number;
  efConstruction?: number;
}

/** Options of {@link openPgVectorStore}. */
export interface PgVectorStoreOptions {
  /** A `pg` Pool or Client, or a PGlite instance with the `vector` extension. */
  client: SqlClient;
  /** The table (`name` or `schema.name`: letters, digits and `_`); created when absent. */
  table: string;
  /** Values per vector: the model's `dim`. */
  dim: number;
  /** How vectors compare: the model's `similarity` (default `cosine`). */
  similarity?: Similarity;
  /**
   * The HNSW index, created with the table (default `{}`: pgvector's defaults). `false` creates none: load in
   * bulk first, then call `createIndex()` (much faster than inserting into an index).
   */
  hnsw?: HnswOptions | false;
  /** Rows per INSERT statement (default 500). */
  batchSize?: number;
  /**
   * Create the extension, the table and its index when absent, and check an existing table's dim and similarity
   * (default true: three statements). `false` trusts that the table exists as described and sends nothing: for a
   * store opened per request (a Worker) on a table made once beforehand.
   */
  ensure?: boolean;
}

/** pgvector's operator and HNSW operator class for each similarity, and the score from the distance. */
const OPERATORS: Record<Similarity, { op: string; ops: string; score: (d: number) => number }> = {
  cosine: { op: '<=>', ops: 'vector_cosine_ops', score: (d) => 1 - d },
  dot: { op: '<#>', ops: 'vector_ip_ops', score: (d) => -d },
  euclidean: { op: '<->', ops: 'vector_l2_ops', score: (d) => -d },
  manhattan: { op: '<+>', ops: 'vector_l1_ops', score: (d) => -d },
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Opens (creating when absent) a table of vectors in Postgres with pgvector, as a `VectorStore`: the same SQL
 * runs on a server through `pg` and in-process on PGlite. The table remembers its dimension and similarity (in
 * its comment); opening it with others is `E_STORE_MISMATCH`.
 *
 * ```ts
 * const store = await openPgVectorStore({ client: pool, table: 'faq', dim: model.dim, similarity: model.similarity });
 * await store.add(await model.embedMatrix(texts), texts);
 * const hits = await search(model, 'how do I reset my password?', store, { k: 5 });
 * ```
 */
export async function openPgVectorStore(options: PgVectorStoreOptions): Promise<PgVectorStore> {
  const { client, table, dim, similarity = 'cosine', hnsw = {}, batchSize = 500, ensure = true } = options;
  if (typeof client?.query !== 'function') {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      'openPgVectorStore: expected a client with query(text, params) (a pg Pool or Client, or a PGlite instance)',
    );
  }
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `openPgVectorStore: expected a table name like "faq" or "app.faq" (letters, digits, _), found ${JSON.stringify(table)}`,
    );
  }
  if (!Number.isInteger(dim) || dim < 1 || dim > 16_000) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `openPgVectorStore: expected dim in 1..16000 (pgvector's limit), found ${dim}`,
    );
  }
  if (!(similarity in OPERATORS)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `openPgVectorStore: expected similarity ${Object.keys(OPERATORS).join(' | ')}, found ${JSON.stringify(similarity)}`,
    );
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `openPgVectorStore: expected batchSize ≥ 1, found ${batchSize}`,
    );
  }
  const store = new PgVectorStore(client, parts, dim, similarity, batchSize);
  if (ensure) await store.open(hnsw);
  return store;
}

/** A table of vectors in Postgres + pgvector; see {@link openPgVectorStore}. */
export class PgVectorStore implements VectorStore {
  /** The quoted table name used in SQL. */
  readonly table: string;
  private readonly name: string;

  /** @internal Use {@link openPgVectorStore}. */
  constructor(
    private readonly client: SqlClient,
    parts: string[],
    readonly dim: number,
    readonly similarity: Similarity,
    private readonly batchSize: number,
  ) {
    this.table = parts.map((p) => `"${p}"`).join('.');
    this.name = parts.join('.');
  }

  /** @internal Creates the extension, the table and its index when absent; checks an existing table. */
  async open(hnsw: HnswOptions | false): Promise<void> {
    await this.sql('CREATE EXTENSION IF NOT EXISTS vector');
    const meta = JSON.stringify({ siamese: { dim: this.dim, similarity: this.similarity } });
    const [found] = await this.sql(`SELECT to_regclass($1) IS NOT NULL AS found`, [this.name]);
    if (found?.found) {
      const [row] = await this.sql(`SELECT obj_description(to_regclass($1), 'pg_class') AS meta`, [
        this.name,
      ]);
      const existing = parseMeta(row?.meta);
      if (!existing || existing.dim !== this.dim || existing.similarity !== this.similarity) {
        throw storeError(
          'E_STORE_MISMATCH',
          `openPgVectorStore: table ${this.name} holds ${existing ? `${existing.dim}-d vectors compared by ${existing.similarity}` : 'no siamese vectors (its comment names no dim and similarity)'}, expected ${this.dim}-d vectors compared by ${this.similarity}: open it with the model that filled it, or use another table`,
          {
            table: this.name,
            expected: { dim: this.dim, similarity: this.similarity },
            found: existing ?? null,
          },
        );
      }
      return;
    }
    await this.sql(
      `CREATE TABLE IF NOT EXISTS ${this.table} (id bigserial PRIMARY KEY, embedding vector(${this.dim}) NOT NULL, text text)`,
    );
    await this.sql(`COMMENT ON TABLE ${this.table} IS '${meta}'`);
    if (hnsw) await this.createIndex(hnsw);
  }

  /** Builds the HNSW index (once; a no-op when it exists). Call it after a bulk load opened with `hnsw: false`. */
  async createIndex(options: HnswOptions = {}): Promise<void> {
    const { m = 16, efConstruction = 64 } = options;
    if (
      !Number.isInteger(m) ||
      m < 2 ||
      m > 100 ||
      !Number.isInteger(efConstruction) ||
      efConstruction < 2 * m
    ) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `PgVectorStore.createIndex: expected m in 2..100 and efConstruction ≥ 2·m, found m ${m}, efConstruction ${efConstruction}`,
      );
    }
    const index = `"${this.name.replaceAll('.', '_')}_embedding_hnsw"`;
    await this.sql(
      `CREATE INDEX IF NOT EXISTS ${index} ON ${this.table} USING hnsw (embedding ${OPERATORS[this.similarity].ops}) WITH (m = ${m}, ef_construction = ${efConstruction})`,
    );
  }

  /** Adds N×`dim` row-major vectors with optional texts, in batches; returns their ids (from the table's sequence). */
  async add(vectors: Float32Array, texts?: readonly string[]): Promise<number[]> {
    if (!(vectors instanceof Float32Array) || vectors.length % this.dim !== 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `PgVectorStore.add: expected a Float32Array of a multiple of ${this.dim} values, found ${vectors instanceof Float32Array ? `${vectors.length} values` : typeof vectors}`,
      );
    }
    const n = vectors.length / this.dim;
    if (texts && texts.length !== n)
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `PgVectorStore.add: ${n} vectors but ${texts.length} texts`,
      );
    const nul = texts?.findIndex((t) => t.includes('\u0000')) ?? -1;
    if (nul >= 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `PgVectorStore.add: text ${nul} holds U+0000, which Postgres text cannot store: remove it before adding`,
      );
    }
    const bad = vectors.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `PgVectorStore.add: expected finite values, found ${vectors[bad]} in vector ${Math.floor(bad / this.dim)} (dimension ${bad % this.dim})`,
      );
    }
    const ids: number[] = [];
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(n, start + this.batchSize);
      // Ids drawn first, so that the caller learns which id went to which vector whatever order INSERT keeps.
      const drawn = await this.sql(
        `SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)`,
        [this.name, end - start],
      );
      const batch = drawn.map((r) => Number(r.id)).sort((a, b) => a - b);
      const literals: string[] = [];
      for (let i = start; i < end; i++)
        literals.push(vectorLiteral(vectors.subarray(i * this.dim, (i + 1) * this.dim)));
      await this.sql(
        `INSERT INTO ${this.table} (id, embedding, text) SELECT * FROM unnest($1::bigint[], $2::text[]::vector[], $3::text[])`,
        [batch, literals, texts ? texts.slice(start, end) : new Array(end - start).fill(null)],
      );
      for (const id of batch) ids.push(id);
    }
    return ids;
  }

  /** Deletes the rows with these ids; returns how many there were. */
  async remove(ids: readonly number[]): Promise<number> {
    const valid = ids.filter((id) => Number.isSafeInteger(id) && id > 0);
    if (valid.length === 0) return 0;
    const rows = await this.sql(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[]) RETURNING id`, [
      valid,
    ]);
    return rows.length;
  }

  /**
   * The `k` nearest rows by the store's similarity, best first. With the HNSW index the search is approximate
   * (pgvector's `hnsw.ef_search`, 40 by default, bounds both recall and `k`: raise it for larger `k`).
   */
  async search(query: Float32Array, k: number, _options?: VectorSearchOptions): Promise<SearchHit[]> {
    if (!(query instanceof Float32Array) || query.length !== this.dim) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `PgVectorStore.search: expected a Float32Array query of ${this.dim} values, found ${query instanceof Float32Array ? `${query.length} values` : typeof query}`,
      );
    }
    const { op, score } = OPERATORS[this.similarity];
    const limit = Math.max(1, Math.floor(k) || 1);
    // The inner ORDER BY is the distance alone, the form pgvector's index serves; ties are ordered outside it.
    const rows = await this.sql(
      `SELECT id, text, d FROM (SELECT id, text, embedding ${op} $1::vector AS d FROM ${this.table} ORDER BY embedding ${op} $1::vector LIMIT $2) AS hits ORDER BY d, id`,
      [vectorLiteral(query), limit],
    );
    return rows.map((r) => {
      const hit: SearchHit = { index: Number(r.id), score: score(Number(r.d)) };
      if (typeof r.text === 'string') hit.text = r.text;
      return hit;
    });
  }

  /** Rows in the table. */
  async count(): Promise<number> {
    const [row] = await this.sql(`SELECT count(*) AS n FROM ${this.table}`);
    return Number(row?.n ?? 0);
  }

  /** Drops the table (and its index). */
  async drop(): Promise<void> {
    await this.sql(`DROP TABLE IF EXISTS ${this.table}`);
  }

  private async sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      return (await this.client.query(text, params)).rows;
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      throw storeError(
        'E_STORE_QUERY',
        `PgVectorStore (${this.name}): the database refused ${text.split(' ').slice(0, 3).join(' ')} …: ${message}`,
        { table: this.name, sql: text },
        e,
      );
    }
  }
}

/** pgvector's text form of a vector: `[x,y,…]`; JavaScript's shortest form of a float32 reads back exactly. */
function vectorLiteral(v: Float32Array): string {
  return `[${Array.prototype.join.call(v, ',')}]`;
}

function parseMeta(value: unknown): { dim: number; similarity: Similarity } | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const meta = JSON.parse(value)?.siamese;
    return Number.isInteger(meta?.dim) && typeof meta?.similarity === 'string' ? meta : undefined;
  } catch {
    return undefined;
  }
}

function storeError(
  code: PgVectorErrorCode,
  message: string,
  details: Record<string, unknown>,
  cause?: unknown,
): SiameseError<PgVectorErrorCode> {
  return new SiameseError(code, message, { details, ...(cause === undefined ? {} : { cause }) });
}
