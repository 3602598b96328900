import { Rng, SiameseError } from '@siamese/core';
import { sequential } from '../sequential.js';
import type { Port, StepSpec } from '../step.js';
import { registeredSteps, stepFromConfig } from '../step-registry.js';
import { embedding } from '../steps/embedding.js';
import { pooling } from '../steps/pooling.js';
import { runEncoderContract } from './encoder-contract.js';
import { type ContractReport, checker } from './report.js';

/** Options of {@link runStepContract}. */
export interface StepContractOptions {
  /** Builds the step description, e.g. `() => attentionPooling({ dim: 8 })`. */
  newStep: () => StepSpec;
  /** What the step receives (default a sequence `[B,T,8]`); token ids mean the step comes first. */
  input?: Port;
  /** Token ids of the generated batches are drawn from `[1, vocabSize)` (default 20). */
  vocabSize?: number;
  tolerance?: number;
  /** Set false for a step that reads pads on purpose. Default true. */
  ignoresPads?: boolean;
}

/**
 * Runs the `Step` contract against `newStep()`: its `type` equals `config.type` and is registered, its config
 * rebuilds through `stepFromConfig`, and, composed in a `sequential` (an embedding before it when it reads a
 * sequence, a mean pooling after it when it returns one), the whole {@link runEncoderContract}: that is what a
 * saved model using the step goes through when it loads.
 */
export async function runStepContract(options: StepContractOptions): Promise<ContractReport> {
  const spec = options.newStep();
  const report: ContractReport = { subject: `step ${String(spec?.type)}`, checks: [] };
  const check = checker(report);
  check(
    'type',
    typeof spec.type === 'string' && spec.type === spec.config?.type,
    'type equal to config.type',
    `${spec.type} / ${spec.config?.type}`,
  );
  check(
    'registered',
    registeredSteps().includes(spec.type),
    `a type registered with registerStep (${registeredSteps().join(', ')})`,
    JSON.stringify(spec.type),
  );
  const config = JSON.parse(JSON.stringify(spec.config));
  const rebuilt = stepFromConfig(config);
  check(
    'config round trip',
    JSON.stringify(rebuilt.config) === JSON.stringify(spec.config),
    JSON.stringify(spec.config),
    JSON.stringify(rebuilt.config),
  );
  const port = options.input ?? { kind: 'sequence', dim: 8 };
  const vocabSize = options.vocabSize ?? 20;
  const output = outputKind(spec, port);
  const inner = await runEncoderContract({
    newEncoder: () =>
      sequential(
        [
          ...(port.kind === 'tokens' ? [] : [embedding({ vocabSize, dim: port.dim })]),
          options.newStep(),
          ...(output === 'sequence' ? [pooling({ mode: 'mean' })] : []),
        ],
        { seed: 3 },
      ),
    vocabSize,
    ...(options.tolerance === undefined ? {} : { tolerance: options.tolerance }),
    ...(options.ignoresPads === undefined ? {} : { ignoresPads: options.ignoresPads }),
  });
  for (const c of inner.checks) report.checks.push(`in a sequential: ${c}`);
  return report;
}

function outputKind(spec: StepSpec, port: Port): Port['kind'] {
  const step = spec.build(port, {
    rng: new Rng(1),
    index: 0,
    shapeError: (expected, found) =>
      new SiameseError('E_ENCODER_SHAPE', `step 0 (${spec.type}): expected ${expected}, found ${found}`),
  });
  for (const [, v] of step.weights) v.dispose();
  step.dispose?.();
  return step.output.kind;
}
