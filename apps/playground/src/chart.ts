// A small canvas chart: training loss per batch (left axis) and dev Spearman per epoch (right axis, 0–1).

/** The points drawn so far. */
export interface ChartData {
  /** Loss of every batch, in order. */
  losses: number[];
  /** Dev Spearman after each epoch, with the batch count at that epoch's end. */
  metrics: { atBatch: number; value: number }[];
  /** Batches in the whole run (fixes the x scale). */
  totalBatches: number;
}

const PAD = { left: 48, right: 48, top: 24, bottom: 28 };

/** Redraws the whole chart (cheap at these sizes). */
export function drawChart(canvas: HTMLCanvasElement, data: ChartData): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.strokeStyle = '#c9d1da';
  ctx.strokeRect(PAD.left, PAD.top, w, h);
  const maxLoss = Math.max(1e-6, ...data.losses);
  const x = (batch: number) => PAD.left + (w * batch) / Math.max(1, data.totalBatches);
  const yLoss = (v: number) => PAD.top + h - (h * v) / maxLoss;
  const yMetric = (v: number) => PAD.top + h - h * Math.max(0, Math.min(1, v));

  ctx.fillStyle = '#1d6fd6';
  ctx.fillText(`loss (max ${maxLoss.toFixed(3)})`, PAD.left, PAD.top - 8);
  ctx.fillStyle = '#d6641d';
  ctx.textAlign = 'right';
  ctx.fillText('dev Spearman', width - PAD.right, PAD.top - 8);
  ctx.fillText('1', width - PAD.right + 14, PAD.top + 4);
  ctx.fillText('0', width - PAD.right + 14, PAD.top + h);
  ctx.fillStyle = '#5a6675';
  ctx.textAlign = 'center';
  ctx.fillText('batches', PAD.left + w / 2, height - 8);
  ctx.textAlign = 'left';

  ctx.strokeStyle = '#1d6fd6';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  data.losses.forEach((v, i) => {
    if (i === 0) ctx.moveTo(x(i + 1), yLoss(v));
    else ctx.lineTo(x(i + 1), yLoss(v));
  });
  ctx.stroke();

  ctx.strokeStyle = '#d6641d';
  ctx.fillStyle = '#d6641d';
  ctx.beginPath();
  data.metrics.forEach((m, i) => {
    if (i === 0) ctx.moveTo(x(m.atBatch), yMetric(m.value));
    else ctx.lineTo(x(m.atBatch), yMetric(m.value));
  });
  ctx.stroke();
  for (const m of data.metrics) {
    ctx.beginPath();
    ctx.arc(x(m.atBatch), yMetric(m.value), 3.5, 0, 2 * Math.PI);
    ctx.fill();
  }
}
