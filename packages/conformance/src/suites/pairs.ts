import { defineSuite } from '../harness.js';

// Placeholder: the pairs package adds its runtime-neutral checks here.
export default defineSuite('pairs', () => {});
