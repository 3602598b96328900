/**
 * Greedy longest-match-first WordPiece split of one word, as BERT's `WordpieceTokenizer`: returns the
 * pieces, or `null` when some position matches no piece (the caller maps the whole word to unknown).
 * Lengths are in code points, as in Python.
 */
export function wordpieceSplit(
  word: string,
  has: (piece: string) => boolean,
  prefix = '##',
  maxInputCharsPerWord = 100,
): string[] | null {
  const chars = Array.from(word);
  if (chars.length > maxInputCharsPerWord) return null;
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found: string | null = null;
    while (start < end) {
      let sub = chars.slice(start, end).join('');
      if (start > 0) sub = prefix + sub;
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
