/** Where a byte stream was not valid UTF-8: how many invalid sequences, and the first one's line. */
export interface InvalidUtf8 {
  /** Invalid byte sequences (each decodes to one U+FFFD). */
  count: number;
  /** 1-based line of the first one. */
  line: number;
}

/**
 * Finds invalid UTF-8 in a byte stream, chunk by chunk (a sequence split across chunks is followed), counting
 * lines on the way: the decoder replaces bad bytes with U+FFFD silently, and a reader should say so.
 */
export class Utf8Check {
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  private line = 1;
  private count = 0;
  private firstLine = 0;

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.need > 0) {
        if (b >= this.lo && b <= this.hi) {
          this.need--;
          this.lo = 0x80;
          this.hi = 0xbf;
          continue;
        }
        this.bad(); // the sequence ended early: `b` starts afresh
      }
      if (b < 0x80) {
        if (b === 0x0a) this.line++;
      } else if (b >= 0xc2 && b <= 0xdf) this.need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        this.need = 2;
        if (b === 0xe0) this.lo = 0xa0;
        if (b === 0xed) this.hi = 0x9f; // no surrogates
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.need = 3;
        if (b === 0xf0) this.lo = 0x90;
        if (b === 0xf4) this.hi = 0x8f; // nothing above U+10FFFF
      } else this.bad();
    }
  }

  /** What was found once the stream ended (a sequence cut off by the end counts), or null if all was valid. */
  end(): InvalidUtf8 | null {
    if (this.need > 0) this.bad();
    return this.count ? { count: this.count, line: this.firstLine } : null;
  }

  private bad(): void {
    if (this.count++ === 0) this.firstLine = this.line;
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
  }
}
