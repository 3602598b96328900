/**
 * `@siamese/encoders/testing`: the contract test kit for your own encoders and steps, the checks the built-ins
 * pass (hono's `runTest({ newRouter })` is the model). Call it inside any test runner, after `initBackend()`:
 *
 * ```ts
 * it('attention pooling honours the Step contract', async () => {
 *   await runStepContract({ newStep: () => attentionPooling() });
 * });
 * ```
 *
 * Each check that fails throws a `SiameseError` with code `E_CONTRACT` naming the check, what was expected and
 * what was found; a passing run returns the names of the checks.
 *
 * @packageDocumentation
 */
export { type EncoderContractOptions, runEncoderContract } from './encoder-contract.js';
export type { ContractReport } from './report.js';
export { runStepContract, type StepContractOptions } from './step-contract.js';
