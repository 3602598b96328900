import { describe, expect, it } from 'vitest';
import { FormatVersionError, InvalidArgumentError, SiameseError } from '../src/index.js';

// A second copy of the package, as a CommonJS program gets it (the CJS build next to the ESM one that the
// ESM-only @siamese/backend loads): the built CommonJS file.
// (A computed specifier: TypeScript checks the copy against the source's types rather than resolving the .cjs.)
const other: typeof import('../src/index.js') = await import(`${'../dist/index.cjs'}`);

describe('SiameseError across copies of the package', () => {
  it('the copies are different classes', () => {
    expect(other.SiameseError).not.toBe(SiameseError);
  });

  it('instanceof matches errors of the other copy, by class', () => {
    const e = new other.InvalidArgumentError('bad');
    expect(e instanceof SiameseError).toBe(true);
    expect(e instanceof InvalidArgumentError).toBe(true);
    expect(e instanceof FormatVersionError).toBe(false);
    expect(new InvalidArgumentError('bad') instanceof other.SiameseError).toBe(true);
    class BackendLike extends other.SiameseError {}
    expect(new BackendLike('E_X', 'x') instanceof SiameseError).toBe(true);
    expect(new BackendLike('E_X', 'x') instanceof InvalidArgumentError).toBe(false);
  });

  it('nothing else matches', () => {
    for (const v of [new Error('x'), { code: 'E_X' }, null, undefined, 'E_X', Object.create(null)]) {
      expect(v instanceof SiameseError).toBe(false);
    }
    class SiameseErrorLookalike extends Error {}
    expect(new SiameseErrorLookalike() instanceof SiameseError).toBe(false);
  });

  it('subclasses keep their name and code', () => {
    const e = new other.FormatVersionError('vocab', 2, 3);
    expect(e.name).toBe('FormatVersionError');
    expect(e.code).toBe('E_FORMAT_VERSION');
  });
});
