import { defineSuite } from '../harness.js';

// Placeholder: the runtime package adds its runtime-neutral checks here.
export default defineSuite('runtime', () => {});
