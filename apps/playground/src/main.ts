// The playground: WASM backend, in-page training on the built-in sample with a live chart, similarity, ranking.
import { lossFromConfig } from '@siamese/losses';
import {
  createModel,
  evaluate,
  fit,
  initBackend,
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
  trainButton.disabled = compareButton.disabled = rankButton.disabled = true;
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
  trainButton.disabled = compareButton.disabled = rankButton.disabled = false;
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

async function rank(): Promise<void> {
  if (!model) return;
  const corpus = $<HTMLTextAreaElement>('corpus')
    .value.split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
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

function fail(e: unknown): void {
  setStatus(`error: ${(e as Error).message}`);
  status.dataset.error = 'true';
  console.error(e);
}

trainButton.addEventListener('click', () => trainModel().catch(fail));
compareButton.addEventListener('click', () => compare().catch(fail));
rankButton.addEventListener('click', () => rank().catch(fail));

initBackend()
  .then(() => {
    $('backend').textContent = tf.getBackend();
    setStatus('ready: press Train');
    trainButton.disabled = false;
  })
  .catch(fail);
