import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { Rng } from '@siamese/core';
import { openPgVectorStore } from '@siamese/pgvector';
import { round } from '../measure.js';
import type { BenchSuite } from '../types.js';

/**
 * `@siamese/pgvector` on PGlite (Postgres 18 + pgvector compiled to WASM, in this process) with N seeded random
 * 384-d vectors (the default recipe's width), cosine: bulk insert without an index (vectors/s), the HNSW build
 * (m 16, ef_construction 64), inserts into the indexed table (vectors/s), and k=10 queries through the index and
 * by exact scan (queries/s), with the index's recall@10 against the exact scan (ef_search 40, pgvector's default).
 */
const suite: BenchSuite = {
  name: 'pgvector',
  description: 'PgVectorStore on PGlite: bulk insert, HNSW build, indexed inserts, queries/s and recall@10',
  async run({ quick, log }) {
    const n = quick ? 2_000 : 100_000;
    const dim = 384;
    const queries = quick ? 20 : 200;
    const rng = new Rng(5);
    const db = new PGlite({ extensions: { vector } });
    await db.query(`SET maintenance_work_mem = '${quick ? 64 : 1024}MB'`);
    const store = await openPgVectorStore({ client: db, table: 'bench', dim, hnsw: false, batchSize: 1000 });
    const chunk = 10_000;
    let t0 = performance.now();
    for (let start = 0; start < n; start += chunk) {
      await store.add(rng.fillNormal(new Float32Array(Math.min(chunk, n - start) * dim)));
      log(`pgvector: inserted ${Math.min(n, start + chunk)} / ${n}`);
    }
    const insertSec = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await store.createIndex();
    const buildSec = (performance.now() - t0) / 1000;
    log(`pgvector: bulk insert ${round(n / insertSec)} vectors/s; HNSW built in ${round(buildSec)} s`);
    const extra = quick ? 200 : 2_000;
    t0 = performance.now();
    await store.add(rng.fillNormal(new Float32Array(extra * dim)));
    const indexedInsertSec = (performance.now() - t0) / 1000;
    const qs = Array.from({ length: queries }, () => rng.fillNormal(new Float32Array(dim)));
    t0 = performance.now();
    const approx = [];
    for (const q of qs) approx.push(await store.search(q, 10));
    const hnswSec = (performance.now() - t0) / 1000;
    await db.query('SET enable_indexscan = off');
    t0 = performance.now();
    const exact = [];
    for (const q of qs) exact.push(await store.search(q, 10));
    const exactSec = (performance.now() - t0) / 1000;
    let found = 0;
    for (let i = 0; i < queries; i++) {
      const want = new Set(exact[i]!.map((h) => h.index));
      found += approx[i]!.filter((h) => want.has(h.index)).length;
    }
    const row = {
      suite: 'pgvector',
      engine: 'PGlite 0.5.14 + pgvector 0.8',
      vectors: n,
      dim,
      similarity: 'cosine',
      bulkInsertPerSec: round(n / insertSec),
      hnswBuildSec: round(buildSec),
      indexedInsertPerSec: round(extra / indexedInsertSec),
      hnswQueriesPerSec: round(queries / hnswSec),
      exactQueriesPerSec: round(queries / exactSec, 2),
      hnswRecallAt10: round(found / (queries * 10), 3),
    };
    log(
      `pgvector: ${row.indexedInsertPerSec} indexed inserts/s; ${row.hnswQueriesPerSec} q/s HNSW (recall@10 ${row.hnswRecallAt10}) vs ${row.exactQueriesPerSec} q/s exact`,
    );
    await db.close();
    return [row];
  },
};
export default suite;
