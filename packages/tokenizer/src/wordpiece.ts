/**
 * Greedy longest-match-first WordPiece split of one word, as BERT's `WordpieceTokenizer`: returns the
 * pieces, or `null` when some position matches no piece (the caller maps the whole word to unknown).
 * Lengths are in code points, as in Python. `maxPieceLength` (the vocabulary's longest token, in UTF-16 code
 * units; see `Vocabulary#maxTokenLength`) bounds the candidates tried at each position, so a word costs
 * O(length × maxPieceLength) lookups instead of O(length²) ever longer substrings.
 */
export function wordpieceSplit(
  word: string,
  has: (piece: string) => boolean,
  prefix = '##',
  maxInputCharsPerWord = 100,
  maxPieceLength = Number.POSITIVE_INFINITY,
): string[] | null {
  // Code-point boundaries as UTF-16 offsets: slicing the string is then cheap, no array of characters joined.
  const bounds: number[] = [0];
  for (let i = 0; i < word.length; ) {
    i += (word.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    bounds.push(i);
    if (bounds.length - 1 > maxInputCharsPerWord) return null;
  }
  const n = bounds.length - 1;
  const pieces: string[] = [];
  let start = 0;
  while (start < n) {
    const extra = start > 0 ? prefix.length : 0;
    let end = n;
    while (end > start && bounds[end]! - bounds[start]! + extra > maxPieceLength) end--;
    let found: string | null = null;
    while (start < end) {
      const sub = (start > 0 ? prefix : '') + word.slice(bounds[start], bounds[end]);
      if (has(sub)) {
        found = sub;
        break;
      }
      end--;
    }
    if (found === null) return null;
    pieces.push(found);
    start = end;
  }
  return pieces;
}
