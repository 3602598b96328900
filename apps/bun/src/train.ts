// `bun run src/train.ts [--out model] [--data ../../../shared/data]`: fine-tunes the tiny model in Bun on WASM and
// saves it (folder format) with its reference set.
import { parseArgs } from 'node:util';
import { initBackend, saveModel } from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { parseStsb, referenceSet, trainTinyModel } from '../../worker/src/tiny-model.ts';

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    out: { type: 'string', default: 'model' },
    data: {
      type: 'string',
      default: `${Bun.env.SIAMESE_SHARED ?? `${import.meta.dir}/../../../../shared`}/data`,
    },
  },
});
await initBackend();
const dev = parseStsb(await Bun.file(`${values.data}/stsb/dev.tsv`).text(), 500);
const references = referenceSet(dev);
const run = await trainTinyModel({
  train: parseStsb(await Bun.file(`${values.data}/stsb/train.tsv`).text(), 2000),
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
    out: values.out,
  }),
);
run.model.dispose();
