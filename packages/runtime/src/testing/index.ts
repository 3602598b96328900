/**
 * `@siamese/runtime/testing`: the contract test kit for your own `VectorStore`s, the checks the built-in
 * `VectorIndex` and `@siamese/pgvector` pass. Call it inside any test runner:
 *
 * ```ts
 * it('my store honours the VectorStore contract', async () => {
 *   await runVectorStoreContract({ newStore: ({ dim, similarity }) => new MyStore(dim, similarity) });
 * });
 * ```
 *
 * Each check that fails throws a `SiameseError` with code `E_CONTRACT` naming the check, what was expected and
 * what was found; a passing run returns the names of the checks.
 *
 * @packageDocumentation
 */
export type { ContractReport } from '@siamese/encoders/testing';
export { runVectorStoreContract, type VectorStoreContractOptions } from './vector-store-contract.js';
