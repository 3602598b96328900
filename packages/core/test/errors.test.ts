import { describe, expect, it } from 'vitest';
import { formatVersionError, SiameseError } from '../src/index.js';

describe('SiameseError', () => {
  it('has one constructor shape: (code, message, { details, cause })', () => {
    const cause = new Error('root');
    const e = new SiameseError('E_INVALID_ARGUMENT', 'bad', { details: { arg: 'x' }, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('SiameseError');
    expect(e.code).toBe('E_INVALID_ARGUMENT');
    expect(e.message).toBe('bad');
    expect(e.details).toEqual({ arg: 'x' });
    expect(e.cause).toBe(cause);
    expect(new SiameseError('E_X', 'no options').details).toBeUndefined();
  });

  it('is() recognises any SiameseError, optionally by code, and nothing else', () => {
    const e = new SiameseError('E_MODEL_CHECKSUM', 'altered');
    expect(SiameseError.is(e)).toBe(true);
    expect(SiameseError.is(e, 'E_MODEL_CHECKSUM')).toBe(true);
    expect(SiameseError.is(e, 'E_MODEL_CORRUPT')).toBe(false);
    for (const other of [new Error('x'), { code: 'E_MODEL_CHECKSUM' }, null, undefined, 'E_X', 3]) {
      expect(SiameseError.is(other)).toBe(false);
    }
  });

  it('is() works across duplicate copies of the package (a global symbol, not the class identity)', () => {
    // What a second installed copy of @siamese/core produces: another class, the same global marker.
    class OtherCopyError extends Error {
      readonly code = 'E_DATASET_COLUMNS';
      constructor() {
        super('train.tsv:3:1: expected 3 fields, found 2');
        Object.defineProperty(this, Symbol.for('@siamese/core:SiameseError'), { value: true });
      }
    }
    const foreign = new OtherCopyError();
    expect(Object.getPrototypeOf(foreign)).not.toBe(SiameseError.prototype);
    expect(SiameseError.is(foreign, 'E_DATASET_COLUMNS')).toBe(true);
    expect(foreign instanceof SiameseError).toBe(true);
  });

  it('expected() writes the SDK message shape with where/expected/found details', () => {
    const e = SiameseError.expected('E_ENCODER_CONFIG', 'dense.units', 'an integer >= 1', 'number 0');
    expect(e.message).toBe('dense.units: expected an integer >= 1, found number 0');
    expect(e.code).toBe('E_ENCODER_CONFIG');
    expect(e.details).toEqual({ where: 'dense.units', expected: 'an integer >= 1', found: 'number 0' });
  });

  it('formatVersionError names what, the version read and the version found', () => {
    const e = formatVersionError('vocabulary', 1, 2);
    expect(e.code).toBe('E_FORMAT_VERSION');
    expect(e.message).toBe('vocabulary: expected format version 1 or older, found 2');
    expect(e.details).toEqual({ what: 'vocabulary', expected: 1, found: 2 });
  });
});

// A second copy of the package, as a CommonJS program gets it (the CJS build next to the ESM one that the
// ESM-only @siamese/backend loads): the built CommonJS file.
// (A computed specifier: TypeScript checks the copy against the source's types rather than resolving the .cjs.)
const other: typeof import('../src/index.js') = await import(`${'../dist/index.cjs'}`);

describe('SiameseError across real copies of the package (the CJS and ESM builds)', () => {
  it('the copies are different classes', () => {
    expect(other.SiameseError).not.toBe(SiameseError);
  });

  it('is() and instanceof recognise errors of the other copy', () => {
    const e = new other.SiameseError('E_INVALID_ARGUMENT', 'bad');
    expect(SiameseError.is(e, 'E_INVALID_ARGUMENT')).toBe(true);
    expect(e instanceof SiameseError).toBe(true);
    expect(other.SiameseError.is(new SiameseError('E_USAGE', 'x'))).toBe(true);
    expect(new SiameseError('E_USAGE', 'x') instanceof other.SiameseError).toBe(true);
    // A subclass of your own still tells its errors apart, across copies too.
    class MyAppError extends other.SiameseError {}
    expect(new MyAppError('E_X', 'x') instanceof SiameseError).toBe(true);
    class Unrelated extends SiameseError {}
    expect(new MyAppError('E_X', 'x') instanceof Unrelated).toBe(false);
  });

  it('nothing else matches', () => {
    for (const v of [new Error('x'), { code: 'E_X' }, null, undefined, 'E_X', Object.create(null)]) {
      expect(v instanceof SiameseError).toBe(false);
      expect(SiameseError.is(v)).toBe(false);
    }
    class SiameseErrorLookalike extends Error {}
    expect(new SiameseErrorLookalike() instanceof SiameseError).toBe(false);
  });
});
