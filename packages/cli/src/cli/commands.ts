import { evaluate, initBackend, loadModel, type SiameseModel, search, similarity } from '@siamese/runtime';
import { type FlagSpec, helpFor, parseArgs, usageError } from './args.js';
import { parseScoreRange, readPairFile } from './data.js';
import { readLines } from './io.js';

const common: Record<string, FlagSpec> = {
  model: { type: 'string', description: 'model folder or file (from siamese train)' },
  backend: { type: 'string', choices: ['wasm', 'cpu'], description: 'tfjs backend (default wasm)' },
  json: { type: 'boolean', description: 'machine-readable output on stdout' },
  help: { type: 'boolean', description: 'show this help' },
};

export const evalFlags: Record<string, FlagSpec> = {
  ...common,
  data: { type: 'string', description: 'pairs to evaluate (TSV/CSV/JSONL)' },
  text1: { type: 'string', description: 'column name of the first text' },
  text2: { type: 'string', description: 'column name of the second text' },
  score: { type: 'string', description: 'column name of the score' },
  label: { type: 'string', description: 'column name of the binary label' },
  'score-range': {
    type: 'string',
    description: 'the range scores are given on, LO:HI (e.g. 0:5); rows outside it are skipped',
  },
};
export const embedFlags: Record<string, FlagSpec> = {
  ...common,
  input: { type: 'string', description: 'one text per line; - for stdin (default -)' },
  format: {
    type: 'string',
    choices: ['jsonl', 'f32'],
    description: 'jsonl lines or raw little-endian float32 (default jsonl)',
  },
  workers: {
    type: 'integer',
    min: 1,
    description:
      'threads sharing the texts, the calling one included (default: the cores for 4096+ texts, else 1)',
  },
};
export const similarityFlags: Record<string, FlagSpec> = { ...common };
export const searchFlags: Record<string, FlagSpec> = {
  ...common,
  corpus: {
    type: 'string',
    description: 'one text per line (default: the references packed with the model)',
  },
  k: { type: 'integer', min: 1, description: 'number of results (default 5)' },
};

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

export const helps = {
  eval: helpFor('usage: siamese eval --model DIR --data FILE [--json]', evalFlags),
  embed: helpFor('usage: siamese embed --model DIR [--input FILE|-] [--format jsonl|f32]', embedFlags),
  similarity: helpFor('usage: siamese similarity --model DIR "text a" "text b"', similarityFlags),
  search: helpFor('usage: siamese search --model DIR [--corpus FILE] [--k 5] "query"', searchFlags),
};

/** Initialises the backend and loads `--model`. */
export async function openModel(flags: Record<string, unknown>, command: string): Promise<SiameseModel> {
  if (typeof flags.model !== 'string') throw usageError(`${command}: --model DIR is required`);
  await initBackend({ backend: (flags.backend as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
  return loadModel(flags.model);
}

const fmt = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v));

export async function evalCommand(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, evalFlags, 'eval');
  if (flags.help) {
    console.log(helps.eval);
    return 0;
  }
  if (typeof flags.data !== 'string') throw usageError('eval: --data FILE is required');
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const cols = {
    text1: str(flags.text1),
    text2: str(flags.text2),
    score: str(flags.score),
    label: str(flags.label),
  };
  const scoreRange = parseScoreRange(str(flags['score-range']), 'eval');
  const pairs = await readPairFile(flags.data, { columns: cols, scoreRange }, process.stderr);
  const model = await openModel(flags, 'eval');
  const scored = pairs.every((p) => p.score !== undefined);
  let out: Record<string, number>;
  if (scored) {
    // Correlations only use the order of the scores: no scaling needed.
    const data = pairs.map((p) => ({ text1: p.text1, text2: p.text2, score: p.score! }));
    const m = await evaluate(model, data);
    out = { pearson: m.pearson, spearman: m.spearman, n: m.n };
  } else {
    const data = pairs.map((p) => {
      if (p.label === undefined) throw usageError(`eval: ${flags.data}: every row needs a score or a label`);
      return { text1: p.text1, text2: p.text2, label: p.label };
    });
    const m = await evaluate(model, data);
    out = {
      accuracy: m.accuracy,
      f1: m.f1,
      precision: m.precision,
      recall: m.recall,
      threshold: m.threshold,
      ap: m.ap,
      n: m.n,
    };
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(10)} ${fmt(v)}`);
  model.dispose();
  return 0;
}

export async function embedCommand(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, embedFlags, 'embed');
  if (flags.help) {
    console.log(helps.embed);
    return 0;
  }
  const texts = await readLines((flags.input as string | undefined) ?? '-', process.stderr);
  const model = await openModel(flags, 'embed');
  const vectors = await model.embedMatrix(
    texts,
    num(flags.workers) !== undefined ? { workers: num(flags.workers)! } : {},
  );
  if (flags.format === 'f32') {
    process.stdout.write(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength));
  } else {
    const d = model.dim;
    const lines = texts.map((text, i) =>
      JSON.stringify({
        text,
        embedding: Array.from(vectors.subarray(i * d, (i + 1) * d), (x) => Number(x.toFixed(6))),
      }),
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  model.dispose();
  return 0;
}

export async function similarityCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, similarityFlags, 'similarity');
  if (flags.help) {
    console.log(helps.similarity);
    return 0;
  }
  if (positionals.length !== 2)
    throw usageError(`similarity: expected two texts, found ${positionals.length}`);
  const model = await openModel(flags, 'similarity');
  const s = await similarity(model, positionals[0]!, positionals[1]!);
  if (flags.json)
    process.stdout.write(`${JSON.stringify({ similarity: s, threshold: model.threshold?.value ?? null })}\n`);
  else console.log(s.toFixed(4));
  model.dispose();
  return 0;
}

export async function searchCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, searchFlags, 'search');
  if (flags.help) {
    console.log(helps.search);
    return 0;
  }
  if (positionals.length !== 1) throw usageError(`search: expected one query, found ${positionals.length}`);
  const corpus = typeof flags.corpus === 'string' ? await readLines(flags.corpus, process.stderr) : undefined;
  if (corpus && !corpus.length) throw usageError(`search: ${flags.corpus} has no lines`);
  const model = await openModel(flags, 'search');
  const within = corpus ?? model.index;
  if (!within) {
    model.dispose();
    throw usageError(
      'search: --corpus FILE is required (the model has no packed references: see siamese pack)',
    );
  }
  const hits = await search(model, positionals[0]!, within, { k: (flags.k as number | undefined) ?? 5 });
  if (flags.json) process.stdout.write(`${JSON.stringify(hits)}\n`);
  else
    for (const [i, h] of hits.entries())
      console.log(`${String(i + 1).padStart(2)}. ${h.score.toFixed(4)}  ${h.text}`);
  model.dispose();
  return 0;
}
