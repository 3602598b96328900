export {
  assertString,
  describeValue,
  FormatVersionError,
  InvalidArgumentError,
  SiameseError,
} from './errors.js';
export { permutation, Rng } from './rng.js';
