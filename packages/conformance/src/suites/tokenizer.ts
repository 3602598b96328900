import { defineSuite } from '../harness.js';

// Placeholder: the tokenizer package adds its runtime-neutral checks here.
export default defineSuite('tokenizer', () => {});
