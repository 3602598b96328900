export { SiameseError, InvalidArgumentError, FormatVersionError, describeValue, assertString } from './errors.js';
export { Rng, permutation } from './rng.js';
