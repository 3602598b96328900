import { describe, expect, it } from 'vitest';
import * as siamese from '../src/index.js';

describe('siamese (umbrella)', () => {
  it('re-exports the runtime and every package', () => {
    expect(typeof siamese.initBackend).toBe('function');
    expect(typeof siamese.SiameseModel).toBe('function');
    expect(typeof siamese.fit).toBe('function');
    expect(typeof siamese.tokenizer.Tokenizer).toBe('function');
    expect(typeof siamese.pairs.readPairs).toBe('function');
    expect(typeof siamese.encoders.sequential).toBe('function');
    expect(typeof siamese.losses.lossFromConfig).toBe('function');
  });
});
