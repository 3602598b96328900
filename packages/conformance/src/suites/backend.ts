import { defineSuite } from '../harness.js';

// Placeholder: the backend package adds its runtime-neutral checks here.
export default defineSuite('backend', () => {});
