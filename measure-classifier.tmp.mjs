import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { classify, createModel, FewShotClassifier, initBackend, modelFromBytes, modelToBytes } from '@siamese/runtime';
await initBackend();
const rows = gunzipSync(readFileSync('datasets/stsb/train.tsv.gz')).toString('utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const sentences = [...new Set(rows.flatMap((r) => [r[0], r[1]]))];
const model = createModel({ texts: sentences, seed: 3 }); // the default recipe's architecture
console.log('model dim', model.dim, 'vocab', model.tokenizer.vocabSize);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const plain = await modelToBytes(model);
const out = { dim: model.dim, plainBytes: plain.byteLength, plainGzip: gzipSync(plain, { level: 9 }).byteLength };
for (const n of [100, 1000]) {
  const examples = sentences.slice(0, n).map((text, i) => ({ text, label: `label${i % 10}` }));
  const c = await FewShotClassifier.create(model, examples, { k: 3 });
  const bytes = await modelToBytes(model, { classifier: c });
  const loadPlain = [], loadWith = [], perCallSaved = [], perCallReembed = [];
  for (let r = 0; r < 7; r++) {
    let t = performance.now(); (await modelFromBytes(plain)).dispose(); loadPlain.push(performance.now() - t);
    t = performance.now(); (await modelFromBytes(bytes)).dispose(); loadWith.push(performance.now() - t);
  }
  const m = await modelFromBytes(bytes);
  await m.classifier.classify('warm up'); await classify(m, 'warm up', examples, { k: 3 });
  for (let r = 0; r < 7; r++) {
    const q = sentences[5000 + r];
    let t = performance.now(); await m.classifier.classify(q); perCallSaved.push(performance.now() - t);
    t = performance.now(); await classify(m, q, examples, { k: 3 }); perCallReembed.push(performance.now() - t);
  }
  m.dispose();
  out[`n${n}`] = {
    bytes: bytes.byteLength, addedBytes: bytes.byteLength - plain.byteLength,
    addedGzip: gzipSync(bytes, { level: 9 }).byteLength - out.plainGzip,
    loadMsPlain: +median(loadPlain).toFixed(1), loadMsWithClassifier: +median(loadWith).toFixed(1),
    classifyMsSaved: +median(perCallSaved).toFixed(2), classifyMsReembedding: +median(perCallReembed).toFixed(2),
  };
}
console.log(JSON.stringify(out, null, 1));
