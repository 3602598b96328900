import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { SiameseError } from '@siamese/core';
import { buildIndex, createModel, initBackend, match, type SiameseModel, search } from '@siamese/runtime';
import { runVectorStoreContract } from '@siamese/runtime/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgVectorStore, type SqlClient } from '../src/index.js';

let db: PGlite;
let tables = 0;
const table = () => `t${++tables}`;

beforeAll(async () => {
  db = new PGlite({ extensions: { vector } });
  await db.waitReady;
});
afterAll(async () => {
  await db.close();
});

describe('PgVectorStore on PGlite (Postgres with pgvector, in process)', () => {
  it('passes the VectorStore contract for every similarity, with the HNSW index', async () => {
    const report = await runVectorStoreContract({
      newStore: ({ dim, similarity }) => openPgVectorStore({ client: db, table: table(), dim, similarity }),
      closeStore: (store) => (store as Awaited<ReturnType<typeof openPgVectorStore>>).drop(),
    });
    expect(report.checks).toContain('manhattan: search after re-adding: recall');
    const [{ n }] = (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_indexes WHERE indexdef LIKE '%USING hnsw%'`,
      )
    ).rows as [{ n: number }];
    expect(n).toBe(0); // dropped with their tables
  });

  it('uses the HNSW index for a search, and builds it later after a bulk load', async () => {
    const name = table();
    const store = await openPgVectorStore({
      client: db,
      table: name,
      dim: 4,
      similarity: 'dot',
      hnsw: false,
    });
    await store.add(Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i)));
    const plan = async () =>
      JSON.stringify(
        (await db.query(`EXPLAIN SELECT id FROM ${name} ORDER BY embedding <#> '[1,0,0,0]' LIMIT 5`)).rows,
      );
    expect(await plan()).not.toMatch(/hnsw/);
    await store.createIndex({ m: 8, efConstruction: 32 });
    await store.createIndex(); // once: a second call is a no-op
    await db.query('SET enable_seqscan = off');
    expect(await plan()).toMatch(/t\d+_embedding_hnsw/);
    await db.query('SET enable_seqscan = on');
    const hits = await store.search(Float32Array.from([1, 0, 0, 0]), 3);
    expect(hits).toHaveLength(3);
    expect(hits[0]!.score).toBeGreaterThan(0.99);
    await expect(store.createIndex({ m: 8, efConstruction: 8 })).rejects.toThrow(
      /efConstruction ≥ 2·m, found m 8, efConstruction 8/,
    );
  });

  it('reopens a table it made, and refuses one made for another dim or similarity (E_STORE_MISMATCH)', async () => {
    const name = table();
    const first = await openPgVectorStore({ client: db, table: name, dim: 3 });
    const [id] = await first.add(Float32Array.from([1, 2, 3]), ['kept']);
    const again = await openPgVectorStore({ client: db, table: name, dim: 3, similarity: 'cosine' });
    expect(await again.count()).toBe(1);
    expect((await again.search(Float32Array.from([1, 2, 3]), 1))[0]).toEqual({
      index: id,
      score: expect.closeTo(1, 6),
      text: 'kept',
    });
    const e = await openPgVectorStore({ client: db, table: name, dim: 4 }).catch((x: unknown) => x);
    expect(SiameseError.is(e, 'E_STORE_MISMATCH')).toBe(true);
    expect((e as Error).message).toMatch(
      new RegExp(
        `table ${name} holds 3-d vectors compared by cosine, expected 4-d vectors compared by cosine`,
      ),
    );
    await expect(
      openPgVectorStore({ client: db, table: name, dim: 3, similarity: 'dot' }),
    ).rejects.toMatchObject({
      code: 'E_STORE_MISMATCH',
    });
    // ensure: false sends nothing at open (the table is trusted), and works on the table made before.
    const trusted = await openPgVectorStore({ client: db, table: name, dim: 3, ensure: false });
    expect(await trusted.count()).toBe(1);
    const missing = await openPgVectorStore({ client: db, table: 'never_made', dim: 3, ensure: false });
    await expect(missing.count()).rejects.toMatchObject({ code: 'E_STORE_QUERY' });
    await db.query('CREATE TABLE foreign_table (id int)');
    await expect(openPgVectorStore({ client: db, table: 'foreign_table', dim: 3 })).rejects.toThrow(
      /holds no siamese vectors \(its comment names no dim and similarity\)/,
    );
  });

  it('bad arguments are E_INVALID_ARGUMENT; a refused statement is E_STORE_QUERY with the driver error as cause', async () => {
    const invalid: [() => Promise<unknown>, RegExp][] = [
      [
        () => openPgVectorStore({ client: {} as SqlClient, table: 'x', dim: 2 }),
        /expected a client with query/,
      ],
      [
        () => openPgVectorStore({ client: db, table: 'x; DROP TABLE y', dim: 2 }),
        /expected a table name like "faq"/,
      ],
      [() => openPgVectorStore({ client: db, table: 'a.b.c', dim: 2 }), /found "a\.b\.c"/],
      [() => openPgVectorStore({ client: db, table: 'x', dim: 16_001 }), /dim in 1\.\.16000/],
      [
        () => openPgVectorStore({ client: db, table: 'x', dim: 2, similarity: 'jaccard' as never }),
        /expected similarity cosine \| dot/,
      ],
      [() => openPgVectorStore({ client: db, table: 'x', dim: 2, batchSize: 0 }), /batchSize ≥ 1, found 0/],
    ];
    for (const [fn, message] of invalid) {
      const e = await fn().catch((x: unknown) => x);
      expect(SiameseError.is(e, 'E_INVALID_ARGUMENT'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
    }
    const store = await openPgVectorStore({ client: db, table: table(), dim: 2 });
    await expect(store.add(Float32Array.from([1, 2, 3]))).rejects.toThrow(
      /a multiple of 2 values, found 3 values/,
    );
    await expect(store.add(Float32Array.from([1, Number.POSITIVE_INFINITY]))).rejects.toThrow(
      /found Infinity in vector 0 \(dimension 1\)/,
    );
    await expect(store.add(Float32Array.from([1, 2]), ['a', 'b'])).rejects.toThrow(/1 vectors but 2 texts/);
    await expect(store.search(Float32Array.from([1]), 1)).rejects.toThrow(
      /a Float32Array query of 2 values, found 1 values/,
    );
    expect(await store.remove([])).toBe(0);
    await store.drop();
    const e = await store.count().catch((x: unknown) => x);
    expect(SiameseError.is(e, 'E_STORE_QUERY')).toBe(true);
    expect((e as Error).message).toMatch(
      /the database refused SELECT count\(\*\) AS …: relation "t\d+" does not exist/,
    );
    expect((e as SiameseError).cause).toBeInstanceOf(Error);
  });

  it('adds in batches, keeps ids in order, stores texts with quotes, and refuses U+0000 (Postgres text cannot hold it)', async () => {
    const store = await openPgVectorStore({
      client: db,
      table: table(),
      dim: 2,
      similarity: 'euclidean',
      batchSize: 3,
    });
    const texts = ["it's", '"quoted"', 'back\\slash', 'ünï 🙂', '', 'six', 'seven'];
    const ids = await store.add(
      Float32Array.from({ length: 14 }, (_, i) => i),
      texts,
    );
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const hits = await store.search(Float32Array.from([6, 7]), 7);
    // Ties (equal distances) come lower id first.
    expect(hits.map((h) => h.text)).toEqual([
      'ünï 🙂',
      'back\\slash',
      '',
      '"quoted"',
      'six',
      "it's",
      'seven',
    ]);
    expect(hits[0]!.score).toBeCloseTo(0, 6);
    expect(hits[1]!.score).toBeCloseTo(-Math.SQRT2 * 2, 5);
    await expect(store.add(Float32Array.from([1, 2, 3, 4]), ['fine', 'a\u0000b'])).rejects.toThrow(
      /text 1 holds U\+0000, which Postgres text cannot store/,
    );
    expect(await store.count()).toBe(7);
  });
});

describe('search and match over a PgVectorStore', () => {
  let model: SiameseModel;
  const corpus = [
    'a man plays a guitar',
    'a woman slices an onion',
    'two dogs run in a field',
    'a child rides a bike',
  ];
  beforeAll(async () => {
    await initBackend();
    model = createModel({ preset: 'meanpool', texts: corpus, embeddingDim: 16, hidden: 16, seed: 3 });
  });
  afterAll(() => model.dispose());

  it('answers as the in-memory index does', async () => {
    const store = await openPgVectorStore({
      client: db,
      table: table(),
      dim: model.dim,
      similarity: model.similarity,
    });
    await store.add(await model.embedMatrix(corpus), corpus);
    const memory = await buildIndex(model, corpus);
    for (const q of ['a guitar player', 'dogs running']) {
      const fromDb = await search(model, q, store, { k: 3 });
      const fromMemory = await search(model, q, memory, { k: 3 });
      expect(fromDb.map((h) => h.text)).toEqual(fromMemory.map((h) => h.text));
      for (const [i, h] of fromDb.entries()) expect(h.score).toBeCloseTo(fromMemory[i]!.score, 5);
    }
    const best = await match(model, 'a guitar player', store, { threshold: -1 });
    expect(best.match?.text).toBe((await search(model, 'a guitar player', memory, { k: 1 }))[0]!.text);
    const other = await openPgVectorStore({ client: db, table: table(), dim: model.dim, similarity: 'dot' });
    await expect(search(model, 'x', other)).rejects.toThrow(
      /compared by dot, the model makes \d+-d vectors compared by cosine/,
    );
  });
});

describe('PgVectorStore through pg (a Postgres server)', () => {
  // DATABASE_URL points at a server with pgvector; without one, PGlite serves the Postgres wire protocol on
  // 127.0.0.1, so this path (pg's driver, its type parsing, a pool) runs in CI too.
  let server: PGLiteSocketServer | undefined;
  let pool: pg.Pool;
  let served: PGlite | undefined;
  beforeAll(async () => {
    let url = process.env.DATABASE_URL;
    if (!url) {
      served = new PGlite({ extensions: { vector } });
      server = new PGLiteSocketServer({ db: served, host: '127.0.0.1', port: 0 });
      await server.start();
      url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
    }
    pool = new pg.Pool({ connectionString: url, max: 1 });
  });
  afterAll(async () => {
    await pool.end();
    await server?.stop();
    await served?.close();
  });

  it(`passes the VectorStore contract through pg (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'PGlite over TCP'})`, async () => {
    const suffix = `${process.pid}_${Date.now()}`;
    const report = await runVectorStoreContract({
      newStore: ({ dim, similarity }) =>
        openPgVectorStore({
          client: pool,
          table: `siamese_contract_${similarity}_${suffix}`,
          dim,
          similarity,
        }),
      closeStore: (store) => (store as Awaited<ReturnType<typeof openPgVectorStore>>).drop(),
    });
    expect(report.checks.length).toBeGreaterThan(60);
  });
});
