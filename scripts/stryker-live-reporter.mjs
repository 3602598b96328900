// A Stryker reporter that appends each mutant's result to `.out/mutants<suffix>.jsonl` as soon as it is known.
// Stryker writes its own reports only at the end of a run; on 2 busy cores a run can be cut short, and this file
// still holds everything tested so far (scripts/mutation.mjs scores it when the report is missing).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

const file = `.out/mutants${process.env.SIAMESE_MUTATION_SAMPLE ? '-sample' : ''}.jsonl`;

class LiveReporter {
  onMutationTestingPlanReady() {
    mkdirSync('.out', { recursive: true });
    writeFileSync(file, '');
  }

  onMutantTested(m) {
    const { id, status, fileName, location, mutatorName, replacement } = m;
    appendFileSync(file, `${JSON.stringify({ id, status, fileName, location, mutatorName, replacement })}\n`);
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'live', LiveReporter)];
