// `node scripts/size-report.mjs [--quick]`: trains the Worker's demo model (int8, packed with its references) into
// .out/size-model, bundles the Worker into .out/size-bundle and prints the upload sizes as one JSON line (used by
// `npm run bench -- worker`). --quick trains one epoch: the sizes do not depend on it.
import { join } from 'node:path';
import { bundleWorker, sizeReport } from './bundle.mjs';
import { appDir } from './paths.mjs';
import { trainDemoModel } from './train-model.mjs';

const model = join(appDir, '.out/size-model');
const out = join(appDir, '.out/size-bundle');
await trainDemoModel({ out: model, ...(process.argv.includes('--quick') ? { epochs: 1 } : {}) });
console.log(JSON.stringify(sizeReport(out, await bundleWorker(out, model))));
