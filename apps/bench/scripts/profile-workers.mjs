// Where the time of data-parallel fit() and parallel embedMatrix() goes: start-up, per-step medians, embed cold/warm.
// Usage: node apps/bench/scripts/profile-workers.mjs <lstm|bilstm|cnn|meanpool> <workers> [steps] [sentences]
import { loadavg } from 'node:os';
import { lossFromConfig } from '@siamese/losses';
import { fit, initBackend, SiameseModel } from '@siamese/runtime';
import { Tokenizer, Vocabulary } from '@siamese/tokenizer';
import { referenceEncoder } from './reference-encoder.mjs';

const [name = 'lstm', w = '2', stepsArg = '24', sentArg = '10000'] = process.argv.slice(2);
const workers = Number(w);
const V = 20000,
  D = 128,
  P = Number(process.env.PAIRS ?? 64),
  T = 20;
await initBackend();
const enc = referenceEncoder(name, V, D);
let x = 12345;
const texts = (n) =>
  Array.from({ length: n }, (_, b) =>
    Array.from({ length: 5 + ((b * 7) % (T - 4)) }, () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return `w${2 + (x % (V - 2))}`;
    }).join(' '),
  );
const tokens = ['[PAD]', '[UNK]', ...Array.from({ length: V - 2 }, (_, i) => `w${i + 2}`)];
const model = new SiameseModel({
  tokenizer: new Tokenizer(Vocabulary.fromTokens(tokens)),
  encoder: enc,
  maxLength: T,
});
const steps = Number(stepsArg);
const a = texts(P * steps),
  b = texts(P * steps);
const data = a.map((text1, i) => ({ text1, text2: b[i], score: (i % 5) / 4 }));
const times = [];
const cpu = [];
let lastCpu;
let last = performance.now();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const t0 = performance.now();
let first;
const r = await fit(model, data, {
  loss: lossFromConfig({ type: 'cosine' }),
  batchSize: P,
  workers,
  seed: 1,
  onBatch: () => {
    const now = performance.now();
    const c = cpuMs();
    if (first === undefined) first = now - t0;
    else {
      times.push(now - last);
      cpu.push(c - lastCpu);
    }
    last = now;
    lastCpu = c;
  },
});
const med = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  return s[s.length >> 1];
};
console.log(
  `${name} workers ${workers}: quarters ${[0, 1, 2, 3].map((q) => med(times.slice((q * times.length) >> 2, ((q + 1) * times.length) >> 2)).toFixed(1)).join(' / ')} ms; fit ${(performance.now() - t0).toFixed(0)} ms total, first step (incl. start-up) ${first.toFixed(0)} ms, step median ${med(times).toFixed(1)} ms → ${((P / med(times)) * 1000).toFixed(0)} pairs/s warm, CPU per step ${med(cpu).toFixed(1)} ms (all threads); fit pairsPerSec ${r.pairsPerSec.toFixed(0)}; load ${loadavg()[0].toFixed(1)}`,
);
const corpus = texts(Number(sentArg));
for (let i = 0; i < 3; i++) {
  const s = performance.now();
  const c = cpuMs();
  await model.embedMatrix(corpus, { workers, batchSize: 256 });
  const ms = performance.now() - s;
  console.log(`  CPU ${(cpuMs() - c).toFixed(0)} ms`);
  console.log(
    `  embedMatrix ${corpus.length} call ${i + 1}: ${ms.toFixed(0)} ms → ${((corpus.length / ms) * 1000).toFixed(0)} sentences/s`,
  );
}
model.dispose();
console.log(
  `  maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load ${loadavg()[0].toFixed(1)}`,
);
