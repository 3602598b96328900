// `deno run --allow-read --allow-write --allow-env src/train.ts [--out model] [--data ../../datasets]`:
// fine-tunes the tiny model in Deno on WASM and saves it (folder format) with its reference set.
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { initBackend, saveModel } from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { parseStsb, referenceSet, trainTinyModel } from '../../worker/src/tiny-model.ts';

const { values } = parseArgs({
  args: Deno.args,
  options: {
    out: { type: 'string', default: 'model' },
    data: {
      type: 'string',
      default: new URL('../../../datasets', import.meta.url).pathname,
    },
  },
});
/** A gzipped text file (the repo's data sets are stored as `.gz`). */
const readGz = async (path: string) => new TextDecoder().decode(gunzipSync(await Deno.readFile(path)));

await initBackend();
const dev = parseStsb(await readGz(`${values.data}/stsb/dev.tsv.gz`), 500);
const references = referenceSet(dev);
const run = await trainTinyModel({
  train: parseStsb(await readGz(`${values.data}/stsb/train.tsv.gz`), 2000),
  dev,
  references,
  onEpoch: (epoch, loss) => console.error(`epoch ${epoch}: loss ${loss.toFixed(4)}`),
});
const manifest = await saveModel(run.model, values.out);
await Deno.writeTextFile(`${values.out}/references.json`, `${JSON.stringify(references, null, 2)}\n`);
console.log(
  JSON.stringify({
    runtime: `deno ${Deno.version.deno}`,
    backend: tf.getBackend(),
    id: manifest.id,
    seconds: run.seconds,
    losses: run.losses,
    threshold: run.threshold,
    devSpearman: run.devSpearman,
    out: values.out,
  }),
);
run.model.dispose();
