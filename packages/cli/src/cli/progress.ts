/** Formats seconds as `1m05s` / `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  if (h) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  if (m) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export interface ProgressState {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  pairsPerSec: number;
  etaSec: number;
}

/**
 * A live one-line progress bar on a TTY stream (redrawn with `\r`), or a line every few seconds when the stream
 * is not a TTY (CI logs).
 */
export class ProgressBar {
  private lastLine = 0;

  constructor(
    private readonly out: { write(s: string): unknown; isTTY?: boolean; columns?: number },
    private readonly minIntervalMs = 2000,
  ) {}

  update(s: ProgressState): void {
    const width = 24;
    const done = s.batches ? s.batch / s.batches : 0;
    const fill = Math.round(done * width);
    const bar = `${'█'.repeat(fill)}${'░'.repeat(width - fill)}`;
    const text = `epoch ${s.epoch}/${s.epochs} ${bar} ${s.batch}/${s.batches}  loss ${s.loss.toFixed(4)}  ${Math.round(s.pairsPerSec)} pairs/s  ETA ${formatDuration(s.etaSec)}`;
    if (this.out.isTTY) {
      this.out.write(`\r${text.slice(0, (this.out.columns ?? 120) - 1)}\x1b[K`);
    } else {
      const now = Date.now();
      if (now - this.lastLine >= this.minIntervalMs || s.batch === s.batches) {
        this.lastLine = now;
        this.out.write(`${text}\n`);
      }
    }
  }

  /** Ends the current bar line with a message. */
  finish(message: string): void {
    this.out.write(this.out.isTTY ? `\r${message}\x1b[K\n` : `${message}\n`);
  }
}
