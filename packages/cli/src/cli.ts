#!/usr/bin/env node
import { embedCommand, evalCommand, searchCommand, similarityCommand } from './cli/commands.js';
import { describeUserError, isUserError } from './cli/errors.js';
import { packCommand } from './cli/pack.js';
import { serveCommand } from './cli/serve.js';
import { trainCommand } from './cli/train.js';

const USAGE = `siamese — train and serve Siamese text-similarity models

usage: siamese <command> [options]

commands:
  train        train a model on sentence pairs          (siamese train --help)
  eval         evaluate a model on pairs                 (siamese eval --help)
  embed        embed texts (jsonl or raw float32)
  similarity   similarity of two texts
  search       rank a corpus against a query
  pack         one checksummed file for serving: int8/f16 weights, pruned vocabulary, references
                                                         (siamese pack --help)
  serve        serve a model over HTTP on Node        (siamese serve --help)
`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  train: trainCommand,
  eval: evalCommand,
  embed: embedCommand,
  similarity: similarityCommand,
  search: searchCommand,
  pack: packCommand,
  serve: serveCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(
      `siamese: unknown command "${name}" (expected ${Object.keys(commands).join(', ')})\n`,
    );
    return 2;
  }
  try {
    return await command(rest);
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(`\nsiamese ${name}: ${describeUserError(e).replace(`${name}: `, '')}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`siamese: internal error (please report): ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
