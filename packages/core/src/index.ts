/**
 * @siamese/core: the floor every package stands on. One error class with stable codes, one registry pattern
 * for every extension point (shared by all installed copies), one platform module, and the seeded PRNG.
 *
 * @packageDocumentation
 */
export {
  assertString,
  type CoreErrorCode,
  describeValue,
  formatVersionError,
  SiameseError,
  type SiameseErrorOptions,
} from './errors.js';
export {
  type FileHandle,
  type FileStats,
  type FileSystem,
  fileSystem,
  now,
  type RuntimeKey,
  readFile,
  runtimeKey,
} from './platform.js';
export {
  defineRegistry,
  type RegisterOptions,
  type Registry,
  type RegistrySpec,
  type TypedConfig,
} from './registry.js';
export { permutation, Rng } from './rng.js';
