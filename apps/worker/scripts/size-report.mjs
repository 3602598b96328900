// `node scripts/size-report.mjs [--quick]`: trains the tiny model into .out/size-model, bundles the Worker into
// .out/size-bundle and prints the upload sizes as one JSON line (used by `npm run bench -- worker`).
import { join } from 'node:path';
import { bundleWorker, sizeReport } from './bundle.mjs';
import { appDir } from './paths.mjs';
import { trainTinyModel } from './train-model.mjs';

const model = join(appDir, '.out/size-model');
const out = join(appDir, '.out/size-bundle');
await trainTinyModel({ out: model, ...(process.argv.includes('--quick') ? { pairs: 600 } : {}) });
console.log(JSON.stringify(sizeReport(out, await bundleWorker(out, model))));
