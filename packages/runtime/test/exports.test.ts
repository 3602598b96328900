import { describe, expect, it } from 'vitest';
import * as runtime from '../src/index.js';

describe('@siamese/runtime', () => {
  it('re-exports the backend layer', () => {
    expect(typeof runtime.initBackend).toBe('function');
    expect(typeof runtime.tensorLeakCheck).toBe('function');
  });
});
