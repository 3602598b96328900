import { describe, expect, it } from 'vitest';
import { defineRegistry, SiameseError, type TypedConfig } from '../src/index.js';

interface Thing {
  made: string;
  options: TypedConfig;
}

let kindCounter = 0;
function thingRegistry(
  builtins: ReadonlyArray<readonly [string, (c: TypedConfig) => Thing, string[]?]> = [],
) {
  const kind = `thing-${++kindCounter}`;
  return {
    kind,
    registry: defineRegistry<TypedConfig, Thing, void>({
      kind,
      registerCall: 'registerThing',
      fromConfigCall: 'thingFromConfig',
      configCode: 'E_THING_CONFIG',
      builtins: () => builtins,
    }),
  };
}
const maker = (made: string) => (options: TypedConfig) => ({ made, options });

describe('defineRegistry', () => {
  it('builds built-ins and registered types from { type, ...options }', () => {
    const { registry } = thingRegistry([['plain', maker('plain')]]);
    registry.register('fancy', maker('fancy'));
    expect(registry.fromConfig({ type: 'plain', size: 2 }).made).toBe('plain');
    expect(registry.fromConfig({ type: 'fancy' }).options).toEqual({ type: 'fancy' });
    expect(registry.names()).toEqual(['plain', 'fancy']);
  });

  it('matches names case-insensitively and resolves aliases to the canonical type', () => {
    const { registry } = thingRegistry([
      ['coSENT', maker('cosent')],
      ['multipleNegativesRanking', maker('mnrl'), ['mnrl']],
    ]);
    expect(registry.fromConfig({ type: 'cosent' }).made).toBe('cosent');
    expect(registry.fromConfig({ type: 'MNRL' }).made).toBe('mnrl');
    expect(registry.resolve('CoSent')).toBe('coSENT');
    expect(registry.resolve('mnrl')).toBe('multipleNegativesRanking');
    expect(registry.resolve('nope')).toBeUndefined();
    expect(registry.names()).toEqual(['coSENT', 'multipleNegativesRanking', 'mnrl']);
  });

  it('an unknown type names the type, lists what is registered and the call that registers it', () => {
    const { kind, registry } = thingRegistry([['plain', maker('plain')]]);
    let error: unknown;
    try {
      registry.fromConfig({ type: 'attentionPooling' });
    } catch (e) {
      error = e;
    }
    expect(SiameseError.is(error, 'E_UNKNOWN_TYPE')).toBe(true);
    expect((error as Error).message).toBe(
      `thingFromConfig: ${kind} type "attentionPooling" is not registered (registered: plain). ` +
        'Call registerThing("attentionPooling", factory) in this process before building or loading anything that uses it.',
    );
    expect((error as SiameseError).details).toMatchObject({
      type: 'attentionPooling',
      registered: ['plain'],
      register: 'registerThing',
    });
  });

  it('a malformed config is a config error of the registry, not a crash', () => {
    const { registry } = thingRegistry();
    for (const bad of [null, 3, {}, { type: 7 }]) {
      expect(() => registry.fromConfig(bad as never)).toThrow(
        expect.objectContaining({ code: 'E_THING_CONFIG' }),
      );
    }
  });

  it('register checks its arguments and refuses a name that belongs to another type', () => {
    const { registry } = thingRegistry([['multipleNegativesRanking', maker('mnrl'), ['mnrl']]]);
    expect(() => registry.register('', maker('x'))).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
    expect(() => registry.register('x', 'nope' as never)).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
    expect(() => registry.register('mnrl', maker('x'))).toThrow(
      /already a name of "multipleNegativesRanking"/,
    );
    expect(registry.fromConfig({ type: 'mnrl' }).made).toBe('mnrl'); // nothing changed
  });

  it('replacing a built-in keeps its place and drops its old aliases', () => {
    const { registry } = thingRegistry([
      ['a', maker('a1'), ['short']],
      ['b', maker('b')],
    ]);
    registry.register('A', maker('a2'));
    expect(registry.names()).toEqual(['A', 'b']);
    expect(registry.fromConfig({ type: 'a' }).made).toBe('a2');
    expect(() => registry.fromConfig({ type: 'short' })).toThrow(
      expect.objectContaining({ code: 'E_UNKNOWN_TYPE' }),
    );
  });

  it('two copies of a registry (two installed copies of a package) share one store on globalThis', () => {
    const kind = `shared-${++kindCounter}`;
    const spec = {
      kind,
      registerCall: 'registerThing',
      fromConfigCall: 'thingFromConfig',
      configCode: 'E_THING_CONFIG',
      builtins: () => [['builtin', maker('copy-a builtin')] as const],
    };
    const copyA = defineRegistry<TypedConfig, Thing, void>(spec);
    const copyB = defineRegistry<TypedConfig, Thing, void>({
      ...spec,
      builtins: () => [['builtin', maker('copy-b builtin')] as const],
    });
    copyA.register('custom', maker('user'));
    copyA.register('builtin', maker('user override'));
    // Copy B installs its built-ins late: they must not replace what the user registered through copy A.
    expect(copyB.fromConfig({ type: 'custom' }).made).toBe('user');
    expect(copyB.fromConfig({ type: 'builtin' }).made).toBe('user override');
    expect(copyB.names()).toEqual(['builtin', 'custom']);
    const store = (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for('siamese.registry.v1')];
    expect(store?.has(kind)).toBe(true);
  });
});
