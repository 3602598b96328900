import { Rng, SiameseError } from '@siamese/core';
import type { ContractReport } from '@siamese/encoders/testing';
import type { Similarity } from '@siamese/losses';
import { vectorSimilarity } from '../infer/vector-similarity.js';
import type { SearchHit, VectorStore } from '../infer/vector-store.js';

/** Options of {@link runVectorStoreContract}. */
export interface VectorStoreContractOptions {
  /** Makes a fresh, empty store of `dim`-d vectors compared by `similarity` (called once per similarity). */
  newStore: (options: { dim: number; similarity: Similarity }) => VectorStore | Promise<VectorStore>;
  /** Disposes a store after its checks (drop a table, close a connection). */
  closeStore?: (store: VectorStore) => void | Promise<void>;
  /** The similarities to check (default all four). */
  similarities?: readonly Similarity[];
  /** Vectors per check (default 200) and their width (default 16). */
  size?: number;
  dim?: number;
  /**
   * Smallest share of the exact top-k a search must return (default 1: an exact store). Approximate stores
   * (quantized, HNSW) pass what they promise.
   */
  minRecall?: number;
  /** Largest difference between a hit's score and the exact similarity (default 1e-4). */
  tolerance?: number;
}

/**
 * Runs the `VectorStore` contract against `newStore()` for each similarity: an empty store answers with no
 * hits; `add` returns distinct ids and `count` follows; `search` returns `min(k, count)` hits, best first, the
 * exact top-k (or `minRecall` of it), scores equal to the similarity, each with its text; a wrong-sized vector
 * or query is an `E_INVALID_ARGUMENT`; `remove` removes exactly the known ids, removed vectors are never found
 * again, and new ids are never reused.
 */
export async function runVectorStoreContract(options: VectorStoreContractOptions): Promise<ContractReport> {
  const report: ContractReport = { subject: 'vector store', checks: [] };
  for (const similarity of options.similarities ?? (['cosine', 'dot', 'euclidean', 'manhattan'] as const)) {
    const store = await options.newStore({ dim: options.dim ?? 16, similarity });
    report.subject = `vector store ${store?.constructor?.name ?? 'object'} (${similarity})`;
    try {
      await checkStore(store, similarity, options, report);
    } finally {
      await options.closeStore?.(store);
    }
  }
  return report;
}

async function checkStore(
  store: VectorStore,
  similarity: Similarity,
  options: VectorStoreContractOptions,
  report: ContractReport,
): Promise<void> {
  const dim = options.dim ?? 16;
  const n = options.size ?? 200;
  const minRecall = options.minRecall ?? 1;
  const tol = options.tolerance ?? 1e-4;
  const check = (name: string, ok: boolean, expected: string, found: string) => {
    if (!ok) throw contractError(report, name, expected, found);
    report.checks.push(`${similarity}: ${name}`);
  };
  const rng = new Rng(11);
  // Gaussian vectors plus a shared offset: not centred, as real embeddings are not.
  const vectors = rng.fillNormal(new Float32Array(n * dim));
  for (let i = 0; i < vectors.length; i++) vectors[i]! += 0.3;
  const texts = Array.from({ length: n }, (_, i) => `text ${i} ✓`);
  const row = (i: number) => vectors.subarray(i * dim, (i + 1) * dim);

  check(
    'dim and similarity',
    store.dim === dim && store.similarity === similarity,
    `${dim}, ${similarity}`,
    `${store.dim}, ${store.similarity}`,
  );
  check('empty count', (await store.count()) === 0, '0 vectors in a new store', String(await store.count()));
  const none = await store.search(row(0), 5);
  check('empty search', Array.isArray(none) && none.length === 0, 'no hits', JSON.stringify(none));

  const ids = [...(await store.add(vectors.slice(0, (n - 10) * dim), texts.slice(0, n - 10)))];
  for (const id of await store.add(vectors.slice((n - 10) * dim), texts.slice(n - 10))) ids.push(id);
  check(
    'add returns ids',
    ids.length === n && new Set(ids).size === n && ids.every(Number.isInteger),
    `${n} distinct integer ids`,
    `${ids.length} ids, ${new Set(ids).size} distinct`,
  );
  check('count after add', (await store.count()) === n, String(n), String(await store.count()));

  const alive = new Map(ids.map((id, i) => [id, i]));
  const searches = async (name: string) => {
    let found = 0;
    let wanted = 0;
    for (let q = 0; q < 20; q++) {
      const query = rng.fillNormal(new Float32Array(dim));
      const k = [1, 5, 10][q % 3]!;
      const hits = await store.search(query, k);
      const exact = [...alive]
        .map(([id, i]) => ({ id, score: vectorSimilarity(query, row(i), similarity) }))
        .sort((a, b) => b.score - a.score || a.id - b.id);
      const expectedCount = Math.min(k, alive.size);
      check(
        `${name}: hit count`,
        hits.length === expectedCount,
        `${expectedCount} hits for k=${k}`,
        String(hits.length),
      );
      checkOrder(hits, check, name);
      for (const h of hits) {
        const i = alive.get(h.index);
        check(`${name}: hits are stored vectors`, i !== undefined, 'ids of stored vectors', `id ${h.index}`);
        const exactScore = vectorSimilarity(query, row(i!), similarity);
        check(
          `${name}: scores`,
          Math.abs(h.score - exactScore) <= tol * Math.max(1, Math.abs(exactScore)),
          `the ${similarity} ${exactScore} (tolerance ${tol})`,
          `${h.score} for id ${h.index}`,
        );
        check(`${name}: texts`, h.text === texts[i!], JSON.stringify(texts[i!]), JSON.stringify(h.text));
      }
      const top = new Set(exact.slice(0, expectedCount).map((e) => e.id));
      found += hits.filter((h) => top.has(h.index)).length;
      wanted += expectedCount;
    }
    check(`${name}: recall`, found / wanted >= minRecall, `recall ≥ ${minRecall}`, `${found}/${wanted}`);
  };
  await searches('search');

  await expectInvalid(() => store.add(new Float32Array(dim + 1)), 'add of a wrong-sized vector', check);
  await expectInvalid(
    () => store.search(new Float32Array(dim - 1), 3),
    'search with a wrong-sized query',
    check,
  );
  check('count after rejected add', (await store.count()) === n, String(n), String(await store.count()));

  const gone = ids.filter((_, i) => i % 3 === 0);
  const removed = await store.remove([...gone, -1, 2 ** 40]);
  check(
    'remove returns the count',
    removed === gone.length,
    `${gone.length} (unknown ids skipped)`,
    String(removed),
  );
  for (const id of gone) alive.delete(id);
  check(
    'count after remove',
    (await store.count()) === alive.size,
    String(alive.size),
    String(await store.count()),
  );
  check('remove twice', (await store.remove(gone.slice(0, 3))) === 0, '0 removed the second time', 'more');
  await searches('search after remove');

  const again = await store.add(vectors.slice(0, dim), [texts[0]!]);
  check('ids never reused', again.length === 1 && !ids.includes(again[0]!), 'a new id', String(again[0]));
  alive.set(again[0]!, 0);
  await searches('search after re-adding');
}

function checkOrder(
  hits: SearchHit[],
  check: (name: string, ok: boolean, expected: string, found: string) => void,
  name: string,
): void {
  const ordered = hits.every((h, i) => i === 0 || hits[i - 1]!.score >= h.score);
  check(`${name}: best first`, ordered, 'scores that never increase', hits.map((h) => h.score).join(', '));
}

async function expectInvalid(
  fn: () => unknown,
  name: string,
  check: (name: string, ok: boolean, expected: string, found: string) => void,
): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  check(
    name,
    SiameseError.is(error, 'E_INVALID_ARGUMENT'),
    'a SiameseError E_INVALID_ARGUMENT',
    String(error),
  );
}

function contractError(
  report: ContractReport,
  name: string,
  expected: string,
  found: string,
): SiameseError<'E_CONTRACT'> {
  return new SiameseError('E_CONTRACT', `${report.subject}: ${name}: expected ${expected}, found ${found}`, {
    details: { subject: report.subject, check: name, expected, found },
  });
}
