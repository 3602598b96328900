import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The repo's data sets (`datasets/`, gzipped; see datasets/README.md), relative to the bundled suites. */
const dataDir = new URL('../../../datasets/', import.meta.url);

/** Uncompressed bytes of `datasets/<path>` (stored as `<path>.gz`), e.g. `stsb/train.tsv`. */
export function readDataset(path: string): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(new URL(`${path}.gz`, dataDir))));
}

/** `datasets/<path>` as text. */
export function readDatasetText(path: string): string {
  return new TextDecoder().decode(readDataset(path));
}
