import type { TextNormalizer } from './normalize-text.js';

/** Interns normalised texts as dense integer ids (0, 1, 2, … in order of first appearance). */
export class TextIds {
  private readonly ids = new Map<string, number>();
  private readonly norm: TextNormalizer;

  constructor(normalize: TextNormalizer) {
    this.norm = normalize;
  }

  /** Id of `text` after normalisation, allocating a new one for a new text. */
  id(text: string): number {
    const key = this.norm(text);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }

  /** Id of `text` if it was seen, else `-1`. */
  lookup(text: string): number {
    return this.ids.get(this.norm(text)) ?? -1;
  }

  /** Number of distinct texts seen. */
  get size(): number {
    return this.ids.size;
  }
}
