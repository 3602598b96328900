// The playground: WASM backend, in-page training on the built-in sample with a live chart, similarity, ranking,
// and packing the model into one int8 file (with the ranking sentences as its index) that the page loads back.
import { lossFromConfig } from '@siamese/losses';
import {
  createModel,
  evaluate,
  fit,
  initBackend,
  loadModel,
  modelToBytes,
  packModel,
  type SiameseModel,
  search,
  similarity,
} from '@siamese/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { type ChartData, drawChart } from './chart.ts';
import sample from './sample.json';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLSpanElement>('status');
const trainButton = $<HTMLButtonElement>('train');
const compareButton = $<HTMLButtonElement>('compare');
const rankButton = $<HTMLButtonElement>('rank');
const packButton = $<HTMLButtonElement>('pack');
const canvas = $<HTMLCanvasElement>('chart');

// 90% to train, the last 10% held out for the dev Spearman shown on the chart.
const pairs = sample.pairs.map(([text1, text2, score]) => ({
  text1: String(text1),
  text2: String(text2),
  score: Number(score) / 5,
}));
const devSize = Math.round(pairs.length / 10);
const train = pairs.slice(0, -devSize);
const dev = pairs.slice(-devSize);
$('sample-size').textContent = String(pairs.length);

let model: SiameseModel | undefined;

function setStatus(text: string, epoch?: number): void {
  status.textContent = text;
  if (epoch !== undefined) status.dataset.epoch = String(epoch);
}

async function trainModel(): Promise<void> {
  const epochs = Math.max(1, Math.min(50, Math.round(Number($<HTMLInputElement>('epochs').value) || 8)));
  trainButton.disabled = compareButton.disabled = rankButton.disabled = packButton.disabled = true;
  model?.dispose();
  const texts = pairs.flatMap((p) => [p.text1, p.text2]);
  model = createModel({ preset: 'meanpool', texts, embeddingDim: 48, hidden: 64, maxLength: 32, seed: 7 });
  const batchSize = 32;
  const chart: ChartData = {
    losses: [],
    metrics: [],
    totalBatches: epochs * Math.ceil(train.length / batchSize),
  };
  drawChart(canvas, chart);
  setStatus('training…', 0);
  // The dev metric before training and after each epoch, for the page's tests (data-untrained, data-metrics).
  const spearman = async () => (await evaluate(model!, dev)).spearman;
  status.dataset.untrained = String(await spearman());
  const metrics: number[] = [];
  await fit(model, train, {
    loss: lossFromConfig({ type: 'cosine' }),
    epochs,
    batchSize,
    lr: 0.005,
    seed: 7,
    dev,
    onBatch: async (e) => {
      chart.losses.push(e.loss);
      if (e.batch % 4 === 0) {
        drawChart(canvas, chart);
        await new Promise((r) => setTimeout(r, 0)); // let the page paint
      }
    },
    onEpoch: (e) => {
      chart.metrics.push({ atBatch: chart.losses.length, value: e.metric ?? 0 });
      metrics.push(e.metric ?? Number.NaN);
      status.dataset.metrics = JSON.stringify(metrics);
      drawChart(canvas, chart);
      setStatus(
        `epoch ${e.epoch}/${epochs} · loss ${e.loss.toFixed(4)} · dev Spearman ${(e.metric ?? 0).toFixed(3)}`,
        e.epoch,
      );
    },
  });
  setStatus(`${status.textContent} · done`);
  status.dataset.done = 'true';
  trainButton.disabled = compareButton.disabled = rankButton.disabled = packButton.disabled = false;
  await Promise.all([compare(), rank()]);
}

async function compare(): Promise<void> {
  if (!model) return;
  const a = $<HTMLInputElement>('sim-a').value;
  const b = $<HTMLInputElement>('sim-b').value;
  const s = await similarity(model, a, b);
  $('sim-value').textContent = s.toFixed(4);
  $('sim-bar').style.width = `${Math.max(0, s) * 100}%`;
}

function corpusLines(): string[] {
  return $<HTMLTextAreaElement>('corpus')
    .value.split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

async function rank(): Promise<void> {
  if (!model) return;
  const corpus = corpusLines();
  if (!corpus.length) return;
  const hits = await search(model, $<HTMLInputElement>('query').value, corpus, { k: corpus.length });
  const list = $<HTMLOListElement>('ranking');
  list.replaceChildren(
    ...hits.map((h) => {
      const li = document.createElement('li');
      const score = document.createElement('span');
      score.textContent = h.score.toFixed(3);
      li.append(score, h.text ?? corpus[h.index] ?? '');
      li.dataset.score = String(h.score);
      return li;
    }),
  );
}

/** Packs the model as `siamese pack` would, offers the file, and loads it back from the file's bytes. */
async function pack(): Promise<void> {
  if (!model) return;
  packButton.disabled = true;
  const out = $<HTMLSpanElement>('pack-status');
  const f32Bytes = (await modelToBytes(model)).byteLength;
  const packed = await packModel(model, { weights: 'int8', references: corpusLines() });
  packed.model.dispose();
  const file = new Blob([packed.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  const loaded = await loadModel(file);
  try {
    const s = await similarity(
      loaded,
      $<HTMLInputElement>('sim-a').value,
      $<HTMLInputElement>('sim-b').value,
    );
    const [top] = loaded.index
      ? await search(loaded, $<HTMLInputElement>('query').value, loaded.index, { k: 1 })
      : [];
    const link = $<HTMLAnchorElement>('pack-download');
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(file);
    link.hidden = false;
    out.textContent =
      `${(file.size / 1024).toFixed(1)} KiB in int8 (float32: ${(f32Bytes / 1024).toFixed(1)} KiB), ` +
      `${loaded.index?.size ?? 0} references · loaded back: similarity ${s.toFixed(4)}, best match “${top?.text ?? '–'}”`;
    Object.assign(out.dataset, {
      bytes: String(file.size),
      f32Bytes: String(f32Bytes),
      similarity: String(s),
      top: top?.text ?? '',
      references: String(loaded.index?.size ?? 0),
      done: 'true',
    });
  } finally {
    loaded.dispose();
    packButton.disabled = false;
  }
}

function fail(e: unknown): void {
  setStatus(`error: ${(e as Error).message}`);
  status.dataset.error = 'true';
  console.error(e);
}

trainButton.addEventListener('click', () => trainModel().catch(fail));
compareButton.addEventListener('click', () => compare().catch(fail));
rankButton.addEventListener('click', () => rank().catch(fail));
packButton.addEventListener('click', () => pack().catch(fail));

initBackend()
  .then(() => {
    $('backend').textContent = tf.getBackend();
    setStatus('ready: press Train');
    trainButton.disabled = false;
  })
  .catch(fail);
