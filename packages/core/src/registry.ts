import { describeValue, SiameseError } from './errors.js';

/**
 * The shared store of every registry: `kind → (lower-case name → entry)`. It lives on `globalThis` under a
 * versioned global symbol, so that two installed copies of a package (an app depending on `@siamese/encoders`
 * directly and through `@siamese/sdk`) register into, and load from, the same maps. The `v1` is the layout of
 * this store, not a package version: a future incompatible layout takes a new key instead of corrupting this one.
 */
const STORE_KEY = Symbol.for('siamese.registry.v1');

interface Entry {
  /** The canonical spelling, as `getConfig().type` writes it. */
  readonly type: string;
  readonly factory: unknown;
  /** Other names (short forms) that resolve to this entry. */
  readonly aliases: readonly string[];
}

interface Table {
  /** Lower-cased type or alias → entry. */
  readonly byName: Map<string, Entry>;
  /** Canonical types in registration order (built-ins first). */
  readonly types: Map<string, Entry>;
}

function store(): Map<string, Table> {
  const g = globalThis as Record<symbol, Map<string, Table> | undefined>;
  let s = g[STORE_KEY];
  if (!s) {
    s = new Map();
    Object.defineProperty(globalThis, STORE_KEY, { value: s, configurable: false, enumerable: false });
  }
  return s;
}

/** A config any registry can build: `{ type, ...options }`. */
export interface TypedConfig {
  type: string;
  [option: string]: unknown;
}

/** Options of {@link Registry.register}. */
export interface RegisterOptions {
  /** Other names that resolve to this type (e.g. `'mnrl'` for `'multipleNegativesRanking'`). */
  aliases?: readonly string[];
}

/**
 * One extension point's registry: the `registerX` / `xFromConfig` / `registeredX` triple every package exposes
 * is a thin wrapper around it. Names are matched case-insensitively (`'cosent'` finds `'coSENT'`).
 */
export interface Registry<C extends TypedConfig, T, X> {
  /** Adds (or replaces) a type. Replacing a built-in is allowed: that is how you swap in a variant. */
  register(type: string, factory: (config: C, context: X) => T, options?: RegisterOptions): void;
  /** Builds from a config, with an `E_UNKNOWN_TYPE` error that says what is registered and how to add a type. */
  fromConfig(config: C, context: X): T;
  /** Every name `fromConfig` accepts: each registered type (built-ins first), followed by its aliases. */
  names(): string[];
  /** The canonical type a name resolves to, or undefined. */
  resolve(name: string): string | undefined;
}

/** What a package declares about one of its registries. */
export interface RegistrySpec<C extends TypedConfig, T, X> {
  /** What it builds, for messages: `'encoder'`, `'step'`, `'loss'`. */
  readonly kind: string;
  /** The public call that registers a type, for messages: `'registerEncoder'`. */
  readonly registerCall: string;
  /** The public call that builds from a config, for messages: `'encoderFromConfig'`. */
  readonly fromConfigCall: string;
  /** Code of a malformed config (not an object, no string `type`), e.g. `'E_ENCODER_CONFIG'`. */
  readonly configCode: string;
  /** The package's own types, installed once per process (a type someone already registered is kept). */
  readonly builtins: () => ReadonlyArray<
    readonly [type: string, factory: (config: C, context: X) => T, aliases?: readonly string[]]
  >;
}

/**
 * Defines a registry whose entries live in the process-wide store, shared by every copy of every package.
 * Built-ins are installed lazily on first use and never replace a registration made earlier (by the user or
 * by another copy), so the order in which copies load does not matter.
 */
export function defineRegistry<C extends TypedConfig, T, X>(spec: RegistrySpec<C, T, X>): Registry<C, T, X> {
  let installed = false;
  const table = (): Table => {
    const s = store();
    let t = s.get(spec.kind);
    if (!t) {
      t = { byName: new Map(), types: new Map() };
      s.set(spec.kind, t);
    }
    if (!installed) {
      installed = true;
      for (const [type, factory, aliases = []] of spec.builtins()) {
        // Another copy (or the user) got there first: keep theirs, and only the aliases still free.
        if (t.byName.has(type.toLowerCase())) continue;
        add(t, { type, factory, aliases: aliases.filter((a) => !t.byName.has(a.toLowerCase())) });
      }
    }
    return t;
  };

  const names = (): string[] => [...table().types.values()].flatMap((e) => [e.type, ...e.aliases]);

  return {
    names,

    register(type, factory, options = {}) {
      if (typeof type !== 'string' || type.trim().length === 0) {
        throw SiameseError.expected(
          'E_INVALID_ARGUMENT',
          `${spec.registerCall} type`,
          'a non-empty string',
          describeValue(type),
        );
      }
      if (typeof factory !== 'function') {
        throw SiameseError.expected(
          'E_INVALID_ARGUMENT',
          `${spec.registerCall}('${type}') factory`,
          'a function',
          describeValue(factory),
        );
      }
      const aliases = options.aliases ?? [];
      if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || a.length === 0)) {
        throw SiameseError.expected(
          'E_INVALID_ARGUMENT',
          `${spec.registerCall}('${type}') aliases`,
          'an array of non-empty strings',
          describeValue(aliases),
        );
      }
      add(table(), { type, factory, aliases: [...aliases] });
    },

    fromConfig(config, context) {
      if (config === null || typeof config !== 'object' || typeof config.type !== 'string') {
        throw SiameseError.expected(
          spec.configCode,
          `${spec.fromConfigCall}`,
          `a ${spec.kind} config { type: string, ...options }`,
          config && typeof config === 'object'
            ? `an object whose type is ${describeValue(config.type)}`
            : describeValue(config),
        );
      }
      const entry = table().byName.get(config.type.toLowerCase());
      if (!entry) {
        const registered = names();
        throw new SiameseError(
          'E_UNKNOWN_TYPE',
          `${spec.fromConfigCall}: ${spec.kind} type ${JSON.stringify(config.type)} is not registered ` +
            `(registered: ${registered.join(', ') || 'none'}). Call ${spec.registerCall}(${JSON.stringify(config.type)}, factory) ` +
            `in this process before building or loading anything that uses it.`,
          { details: { kind: spec.kind, type: config.type, registered, register: spec.registerCall } },
        );
      }
      return (entry.factory as (config: C, context: X) => T)(config, context);
    },

    resolve(name) {
      return typeof name === 'string' ? table().byName.get(name.toLowerCase())?.type : undefined;
    },
  };
}

function add(t: Table, entry: Entry): void {
  const key = entry.type.toLowerCase();
  for (const name of [entry.type, ...entry.aliases]) {
    const taken = t.byName.get(name.toLowerCase());
    if (taken && taken.type.toLowerCase() !== key) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `${JSON.stringify(name)} is already a name of ${JSON.stringify(taken.type)}; pick another name for ${JSON.stringify(entry.type)}`,
        { details: { name, type: entry.type, taken: taken.type } },
      );
    }
  }
  // A re-registration (another spelling, other aliases) replaces every name of the old entry.
  const old = t.types.get(key);
  if (old) for (const n of [old.type, ...old.aliases]) t.byName.delete(n.toLowerCase());
  t.types.set(key, entry); // an existing key keeps its place in the order
  for (const n of [entry.type, ...entry.aliases]) t.byName.set(n.toLowerCase(), entry);
}
