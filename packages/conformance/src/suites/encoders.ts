import { defineSuite } from '../harness.js';

// Placeholder: the encoders package adds its runtime-neutral checks here.
export default defineSuite('encoders', () => {});
