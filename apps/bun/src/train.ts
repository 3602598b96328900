// `bun run src/train.ts [--out model] [--data ../../datasets]`: fine-tunes the tiny model in Bun on WASM and
// saves it (folder format) with its reference set.
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { initBackend, saveModel } from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { parseStsb, referenceSet, trainTinyModel } from '../../worker/src/tiny-model.ts';

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    out: { type: 'string', default: 'model' },
    data: {
      type: 'string',
      default: `${import.meta.dir}/../../../datasets`,
    },
  },
});
/** A gzipped text file (the repo's data sets are stored as `.gz`). */
const readGz = async (path: string) =>
  new TextDecoder().decode(gunzipSync(new Uint8Array(await Bun.file(path).arrayBuffer())));

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
await Bun.write(`${values.out}/references.json`, `${JSON.stringify(references, null, 2)}\n`);
console.log(
  JSON.stringify({
    runtime: `bun ${Bun.version}`,
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
