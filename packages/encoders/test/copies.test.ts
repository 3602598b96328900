// Two installed copies of @siamese/encoders (an app depending on it directly and through @siamese/sdk) share
// one registry, and errors from either copy are recognised by the other: the built `dist/` is copied to a second
// path and imported from there, so it is a separate module instance, as a second copy in node_modules would be.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '@siamese/backend';
import { SiameseError } from '@siamese/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Encoders = typeof import('@siamese/encoders');
type Core = typeof import('@siamese/core');

const pkg = fileURLToPath(new URL('..', import.meta.url));
// Inside the repo, so the copies resolve their own dependencies (tfjs-core, @siamese/backend) as installed ones do.
const dir = mkdtempSync(join(pkg, '.copy-'));
let first: Encoders;
let second: Encoders;
let secondCore: Core;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  cpSync(join(pkg, 'dist'), join(dir, 'encoders'), { recursive: true });
  cpSync(join(pkg, '../core/dist'), join(dir, 'core'), { recursive: true });
  first = await import('@siamese/encoders');
  second = (await import(pathToFileURL(join(dir, 'encoders/index.js')).href)) as Encoders;
  secondCore = (await import(pathToFileURL(join(dir, 'core/index.js')).href)) as Core;
  expect(second.registerEncoder).not.toBe(first.registerEncoder); // really two module instances
  expect(secondCore.SiameseError).not.toBe(SiameseError);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two installed copies of @siamese/encoders', () => {
  it('share the encoder and step registries: what one registers, the other builds', () => {
    first.registerStep('copyTestStep', () => first.normalize());
    second.registerEncoder('copyTestEncoder', (config) =>
      first.sequential([first.embedding({ vocabSize: 5, dim: 3 }), first.pooling()], {
        seed: config.seed as number,
      }),
    );
    expect(second.registeredSteps()).toContain('copyTestStep');
    expect(first.registeredEncoders()).toContain('copyTestEncoder');
    const encoder = first.encoderFromConfig({ type: 'copyTestEncoder', seed: 2 });
    expect(encoder.outputDim).toBe(3);
    const spec = second.stepFromConfig({ type: 'copyTestStep' });
    expect(spec.type).toBe('normalize');
    // A sequential saved by one copy, with a step registered through the other, loads in either.
    const config = second
      .sequential([
        second.embedding({ vocabSize: 5, dim: 3 }),
        second.pooling(),
        first.stepFromConfig({ type: 'copyTestStep' }),
      ])
      .getConfig();
    const loaded = first.encoderFromConfig(config);
    expect(loaded.getConfig()).toEqual(config);
    for (const e of [encoder, loaded]) e.dispose();
  });

  it('an unknown type names the registered ones from both copies, and which call registers it', () => {
    let error: unknown;
    try {
      second.encoderFromConfig({ type: 'nobodyRegisteredThis' });
    } catch (e) {
      error = e;
    }
    expect(SiameseError.is(error, 'E_UNKNOWN_TYPE')).toBe(true);
    expect((error as Error).message).toContain('copyTestEncoder');
    expect((error as Error).message).toContain('registerEncoder("nobodyRegisteredThis", factory)');
  });

  it('errors of one copy of @siamese/core are recognised by the other (is() and instanceof)', () => {
    const foreign = new secondCore.SiameseError('E_DATASET_COLUMNS', 'x.tsv:2:1: expected 3 fields, found 2');
    expect(foreign instanceof SiameseError).toBe(true);
    expect(new SiameseError('E_USAGE', 'x') instanceof secondCore.SiameseError).toBe(true);
    expect(SiameseError.is(foreign, 'E_DATASET_COLUMNS')).toBe(true);
    expect(secondCore.SiameseError.is(new SiameseError('E_USAGE', 'x'), 'E_USAGE')).toBe(true);
  });
});
