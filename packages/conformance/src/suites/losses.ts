import { defineSuite } from '../harness.js';

// Placeholder: the losses package adds its runtime-neutral checks here.
export default defineSuite('losses', () => {});
