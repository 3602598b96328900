import { describe, expect, it } from 'vitest';
import { Normalizer, normalize } from '../src/index.js';

describe('normalize', () => {
  it('applies NFKC, lower-casing and whitespace collapsing by default', () => {
    expect(normalize('  Ｈｅｌｌｏ\t\n  Wörld ﬁ ½ ')).toBe('hello wörld fi 1⁄2');
  });
  it('keeps case and compatibility characters when asked', () => {
    expect(normalize('Ｈｅｌｌｏ ﬁ', { lowercase: false, form: 'NFC' })).toBe('Ｈｅｌｌｏ ﬁ');
    expect(normalize('A  B', { collapseWhitespace: false, lowercase: false, form: 'none' })).toBe('A  B');
  });
  it('composes a base letter with its combining mark (NFC/NFKC) and strips accents on request', () => {
    expect(normalize('e\u0301te\u0301')).toBe('\u00e9t\u00e9');
    expect(normalize('Crème Brûlée Ångström', { stripAccents: true })).toBe('creme brulee angstrom');
    expect(normalize('naïve', { stripAccents: true, form: 'none' })).toBe('naive');
  });
  it('replaces lone surrogates with U+FFFD and keeps valid pairs', () => {
    expect(normalize('a\ud800b\udc00c😀')).toBe('a\ufffdb\ufffdc😀');
    expect(normalize('\udbff')).toBe('\ufffd');
  });
  it('keeps CJK, RTL text and emoji', () => {
    expect(normalize('中文 שלום مرحبا 👍🏽')).toBe('中文 שלום مرحبا 👍🏽');
  });
  it('aligns the normalised text to the original', () => {
    const al = new Normalizer().align('Ａb½c');
    expect(al.text).toBe('ab1⁄2c');
    // Ａ (1 unit) -> a; b; ½ -> three units that all map back to [2, 3).
    expect(Array.from(al.starts!)).toEqual([0, 1, 2, 2, 2, 3]);
    expect(Array.from(al.ends!)).toEqual([1, 2, 3, 3, 3, 4]);
    expect(new Normalizer().align('Plain ASCII').starts).toBeNull();
  });
  it('rejects non-strings and bad options', () => {
    expect(() => normalize(42 as unknown as string)).toThrow(TypeError);
    expect(() => normalize(42 as unknown as string)).toThrow(/text/);
    expect(() => new Normalizer({ form: 'NFD' as 'NFC' })).toThrow(/form/);
  });
});
