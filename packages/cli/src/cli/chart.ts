/** Per-epoch training history used by the charts. */
export interface EpochPoint {
  epoch: number;
  loss: number;
  /** The dev metric (e.g. Spearman), if a dev set was given. */
  metric?: number;
}

const BARS = '▁▂▃▄▅▆▇█';

/** Smallest and largest of `values` ([+∞, −∞] when empty), by a loop: a spread overflows the stack on long runs. */
function extent(values: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** A one-line terminal sparkline of `values` (NaN shown as a space). */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const [lo, hi] = extent(finite);
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      const t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
      return BARS[Math.min(BARS.length - 1, Math.round(t * (BARS.length - 1)))];
    })
    .join('');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An SVG chart of loss (left axis) and dev metric (right axis) per epoch, self-contained, no scripts.
 */
export function trainingSvg(points: readonly EpochPoint[], title: string, metricName = 'dev metric'): string {
  const W = 640;
  const H = 320;
  const m = { l: 60, r: 60, t: 40, b: 40 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xs = points.map((p) => p.epoch);
  const x0 = Math.min(extent(xs)[0], 0);
  const x1 = Math.max(extent(xs)[1], 1);
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * pw;
  const scale = (vals: number[]) => {
    const f = vals.filter(Number.isFinite);
    let [lo, hi] = f.length ? extent(f) : [0, 1];
    if (hi === lo) {
      hi += 0.5;
      lo -= 0.5;
    }
    return { lo, hi, y: (v: number) => m.t + ph - ((v - lo) / (hi - lo)) * ph };
  };
  const loss = scale(points.map((p) => p.loss));
  const metricVals = points.map((p) => p.metric ?? Number.NaN);
  const hasMetric = metricVals.some(Number.isFinite);
  const metric = scale(metricVals);
  const path = (vals: number[], y: (v: number) => number) =>
    points
      .map((p, i) => [p, vals[i]!] as const)
      .filter(([, v]) => Number.isFinite(v))
      .map(([p, v], i) => `${i ? 'L' : 'M'}${sx(p.epoch).toFixed(1)},${y(v).toFixed(1)}`)
      .join(' ');
  const ticks = (
    s: { lo: number; hi: number; y: (v: number) => number },
    x: number,
    anchor: string,
    color: string,
  ) =>
    [0, 0.25, 0.5, 0.75, 1]
      .map((t) => {
        const v = s.lo + t * (s.hi - s.lo);
        return `<text x="${x}" y="${s.y(v).toFixed(1)}" text-anchor="${anchor}" fill="${color}" font-size="11" dominant-baseline="middle">${v.toPrecision(3)}</text>`;
      })
      .join('');
  const xTicks = points
    .map(
      (p) =>
        `<text x="${sx(p.epoch).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${p.epoch}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<title>${esc(title)}: training loss and dev metric per epoch</title>
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>
<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#ccc"/>
<path d="${path(
    points.map((p) => p.loss),
    loss.y,
  )}" fill="none" stroke="#d62728" stroke-width="2"/>
${hasMetric ? `<path d="${path(metricVals, metric.y)}" fill="none" stroke="#1f77b4" stroke-width="2"/>` : ''}
${ticks(loss, m.l - 6, 'end', '#d62728')}
${hasMetric ? ticks(metric, W - m.r + 6, 'start', '#1f77b4') : ''}
${xTicks}
<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="12">epoch</text>
<text x="${m.l}" y="${m.t - 8}" font-size="12" fill="#d62728">training loss</text>
${hasMetric ? `<text x="${W - m.r}" y="${m.t - 8}" font-size="12" fill="#1f77b4" text-anchor="end">${esc(metricName)}</text>` : ''}
</svg>
`;
}
