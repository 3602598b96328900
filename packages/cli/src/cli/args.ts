import { SiameseError } from '@siamese/core';
import { parseDecimal } from '@siamese/pairs';

/** A user mistake on the command line (code `E_USAGE`): printed as one line, exit code 2, never a stack trace. */
export function usageError(message: string): SiameseError<'E_USAGE'> {
  return new SiameseError('E_USAGE', message);
}

export interface FlagSpec {
  /** 'string' | 'number' | 'integer' | 'boolean' */
  type: 'string' | 'number' | 'integer' | 'boolean';
  /** Allowed values for strings. */
  choices?: readonly string[];
  /** Lower bound for numbers. */
  min?: number;
  description: string;
}

export interface ParsedArgs {
  flags: Record<string, string | number | boolean>;
  positionals: string[];
}

/** Strict `--flag value` / `--flag=value` parser: unknown flags, missing values and bad numbers are usage errors. */
export function parseArgs(
  argv: readonly string[],
  spec: Record<string, FlagSpec>,
  command: string,
): ParsedArgs {
  const flags: Record<string, string | number | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      for (const a of argv.slice(i + 1)) positionals.push(a);
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    // own flags only: `--__proto__` or `--constructor` must not reach Object.prototype
    const s = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!s) {
      const known = Object.keys(spec)
        .map((k) => `--${k}`)
        .join(', ');
      throw usageError(`${command}: unknown flag --${name} (expected one of ${known})`);
    }
    if (s.type === 'boolean') {
      if (eq !== -1) throw usageError(`${command}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw usageError(`${command}: --${name} needs a value (${s.description})`);
      }
      i++;
    }
    if (s.type === 'string') {
      // Choices match in any case (`--loss cosent` is `coSENT`); the flag takes the listed spelling.
      const choice = s.choices?.find((c) => c.toLowerCase() === value.toLowerCase());
      if (s.choices && choice === undefined) {
        throw usageError(`${command}: --${name} expected one of ${s.choices.join('|')}, found "${value}"`);
      }
      flags[name] = choice ?? value;
    } else {
      const n = parseDecimal(value); // not 0x10, Infinity or ''
      if (n === undefined || (s.type === 'integer' && !Number.isInteger(n))) {
        throw new SiameseError(
          'E_USAGE',
          `${command}: --${name} expected ${s.type === 'integer' ? 'an integer' : 'a number'}, found "${value}"`,
        );
      }
      if (s.min !== undefined && n < s.min)
        throw usageError(`${command}: --${name} expected ≥ ${s.min}, found ${n}`);
      flags[name] = n;
    }
  }
  return { flags, positionals };
}

/** A help text from a flag spec. */
export function helpFor(usage: string, spec: Record<string, FlagSpec>): string {
  const width = Object.keys(spec).reduce((w, k) => Math.max(w, k.length), 0) + 4;
  const lines = Object.entries(spec).map(([k, s]) => {
    const choices = s.choices ? ` (${s.choices.join('|')})` : '';
    return `  --${k.padEnd(width)}${s.description}${choices}`;
  });
  return `${usage}\n\n${lines.join('\n')}`;
}
