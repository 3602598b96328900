/**
 * Splits a stream of string chunks into lines (on `\n`, dropping a trailing `\r`), keeping the unfinished
 * last line of a chunk until the next one arrives. Lines are numbered from 1; empty lines are passed on too.
 */
export class LineSplitter {
  private pending = '';
  private lineNo = 1;

  /** Calls `onLine` for every line completed by `chunk`. */
  push(chunk: string, onLine: (text: string, line: number) => void): void {
    const text = this.pending.length > 0 ? this.pending + chunk : chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      onLine(stripCr(text.slice(start, nl)), this.lineNo++);
      start = nl + 1;
    }
    this.pending = start === 0 ? text : text.slice(start);
  }

  /** Passes on the last line when the input does not end with a newline. */
  end(onLine: (text: string, line: number) => void): void {
    if (this.pending.length > 0) onLine(stripCr(this.pending), this.lineNo++);
    this.pending = '';
  }
}

function stripCr(s: string): string {
  return s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}
