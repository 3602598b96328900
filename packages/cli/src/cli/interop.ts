import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SiameseError } from '@siamese/core';
import type { StepConfig } from '@siamese/encoders';
import {
  exportTorch,
  importPretrained,
  importTorch,
  initBackend,
  loadModel,
  type PretrainedFormat,
  saveModel,
  savePretrained,
  type TorchVocab,
} from '@siamese/runtime';
import { type FlagSpec, helpFor, parseArgs, usageError } from './args.js';

const backendFlag: FlagSpec = {
  type: 'string',
  choices: ['wasm', 'cpu'],
  description: 'tfjs backend (default wasm)',
};

export const importFlags: Record<string, FlagSpec> = {
  format: {
    type: 'string',
    choices: ['model2vec', 'sentence-transformers'],
    description:
      'import a static model folder (DIR, the positional argument) in this layout instead of a state_dict',
  },
  weights: { type: 'string', description: 'the PyTorch state_dict as safetensors (model.safetensors)' },
  word2index: { type: 'string', description: 'token → id JSON of the embedding (word-level models)' },
  vocab: { type: 'string', description: 'a BERT vocab.txt' },
  tokenizer: { type: 'string', description: 'a Hugging Face tokenizer.json' },
  architecture: {
    type: 'string',
    description: 'JSON: the encoder steps named after the module paths (default: inferred from the keys)',
  },
  'reads-pads': {
    type: 'boolean',
    description: 'LSTMs read the pads, as an unpacked PyTorch LSTM on a padded batch (default: skip them)',
  },
  'max-length': { type: 'integer', min: 1, description: 'longest input in tokens (default 64)' },
  out: { type: 'string', description: 'where to write the SDK model (folder)' },
  backend: backendFlag,
  json: { type: 'boolean', description: 'machine-readable summary on stdout' },
  help: { type: 'boolean', description: 'show this help' },
};

export const exportFlags: Record<string, FlagSpec> = {
  model: { type: 'string', description: 'model folder or file (from siamese train or import)' },
  format: {
    type: 'string',
    choices: ['safetensors', 'model2vec', 'sentence-transformers'],
    description:
      'the output format (safetensors: a PyTorch state_dict; model2vec, sentence-transformers: a static model folder)',
  },
  out: {
    type: 'string',
    description: 'folder to write model.safetensors, the vocabulary and architecture.json into',
  },
  backend: backendFlag,
  json: { type: 'boolean', description: 'machine-readable summary on stdout' },
  help: { type: 'boolean', description: 'show this help' },
};

export const interopHelps = {
  import: helpFor(
    'usage: siamese import --weights model.safetensors (--word2index F | --vocab vocab.txt | --tokenizer tokenizer.json) --out DIR\n       siamese import --format model2vec|sentence-transformers FOLDER --out DIR',
    importFlags,
  ),
  export: helpFor(
    'usage: siamese export --model DIR --format safetensors|model2vec|sentence-transformers --out DIR',
    exportFlags,
  ),
};

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new SiameseError(
      'E_USAGE',
      `--${flag} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`,
      { cause: e },
    );
  }
}

async function readJson(path: string, flag: string): Promise<unknown> {
  const text = await readText(path, flag);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SiameseError('E_USAGE', `--${flag} ${path}: not valid JSON (${(e as Error).message})`, {
      cause: e,
    });
  }
}

/** `siamese import`: a PyTorch state_dict (safetensors) and its vocabulary → an SDK model folder. */
export async function importCommand(argv: string[]): Promise<number> {
  const { flags, positionals } = parseArgs(argv, importFlags, 'import');
  if (flags.help) {
    console.log(interopHelps.import);
    return 0;
  }
  if (typeof flags.format === 'string') return importFolder(flags, positionals);
  if (typeof flags.weights !== 'string') throw usageError('import: --weights model.safetensors is required');
  if (typeof flags.out !== 'string') throw usageError('import: --out DIR is required');
  const given = (['word2index', 'vocab', 'tokenizer'] as const).filter((f) => typeof flags[f] === 'string');
  if (given.length > 1)
    throw usageError(
      `import: give one of --word2index, --vocab, --tokenizer (found ${given.map((g) => `--${g}`).join(', ')})`,
    );
  let vocab: TorchVocab | undefined;
  if (flags.word2index)
    vocab = {
      word2index: (await readJson(flags.word2index as string, 'word2index')) as Record<string, number>,
    };
  else if (flags.vocab) vocab = { vocabTxt: await readText(flags.vocab as string, 'vocab') };
  else if (flags.tokenizer) vocab = { tokenizerJson: await readText(flags.tokenizer as string, 'tokenizer') };
  const architecture = flags.architecture
    ? ((await readJson(flags.architecture as string, 'architecture')) as StepConfig[])
    : undefined;
  let weights: Uint8Array;
  try {
    weights = new Uint8Array(await readFile(flags.weights as string));
  } catch (e) {
    throw new SiameseError(
      'E_USAGE',
      `--weights ${flags.weights}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`,
      { cause: e },
    );
  }
  await initBackend({ backend: (flags.backend as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
  const notes: string[] = [];
  const model = importTorch({
    weights,
    ...(vocab ? { vocab } : {}),
    ...(architecture ? { architecture } : {}),
    ...(flags['reads-pads'] ? { packed: false } : {}),
    ...(flags['max-length'] ? { maxLength: flags['max-length'] as number } : {}),
    onInfo: (m) => notes.push(m),
  });
  const manifest = await saveModel(model, flags.out as string);
  const summary = {
    out: flags.out,
    id: manifest.id,
    dim: model.dim,
    vocabSize: model.tokenizer.vocabSize,
    architecture: notes[0] ?? '',
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else console.log(`imported ${flags.weights} → ${flags.out} (${notes[0]}; ${model.dim}-d vectors)`);
  model.dispose();
  return 0;
}

/** `siamese import --format model2vec|sentence-transformers FOLDER`: a static model folder → an SDK model folder. */
async function importFolder(
  flags: Record<string, string | number | boolean>,
  positionals: string[],
): Promise<number> {
  if (positionals.length !== 1)
    throw usageError(
      `import --format ${flags.format}: expected one FOLDER (the model's directory), found ${positionals.length}`,
    );
  const stray = ['weights', 'word2index', 'vocab', 'tokenizer', 'architecture', 'reads-pads'].filter(
    (f) => flags[f] !== undefined,
  );
  if (stray.length > 0)
    throw usageError(
      `import --format ${flags.format}: the folder holds its weights and tokenizer; drop ${stray.map((f) => `--${f}`).join(', ')}`,
    );
  if (typeof flags.out !== 'string') throw usageError('import: --out DIR is required');
  await initBackend({ backend: (flags.backend as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
  const notes: string[] = [];
  const model = await importPretrained(positionals[0]!, {
    format: flags.format as PretrainedFormat,
    ...(flags['max-length'] ? { maxLength: flags['max-length'] as number } : {}),
    onInfo: (m) => notes.push(m),
  });
  const manifest = await saveModel(model, flags.out as string);
  const summary = {
    out: flags.out,
    id: manifest.id,
    dim: model.dim,
    vocabSize: model.tokenizer.vocabSize,
    architecture: notes[0] ?? '',
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else console.log(`imported ${positionals[0]} → ${flags.out} (${notes[0]}; ${model.dim}-d vectors)`);
  model.dispose();
  return 0;
}

/** `siamese export --format safetensors`: an SDK model → a PyTorch state_dict, its vocabulary and architecture. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, exportFlags, 'export');
  if (flags.help) {
    console.log(interopHelps.export);
    return 0;
  }
  if (typeof flags.model !== 'string') throw usageError('export: --model DIR is required');
  if (typeof flags.format !== 'string')
    throw usageError('export: --format safetensors|model2vec|sentence-transformers is required');
  if (typeof flags.out !== 'string') throw usageError('export: --out DIR is required');
  await initBackend({ backend: (flags.backend as 'wasm' | 'cpu' | undefined) ?? 'wasm' });
  const model = await loadModel(flags.model);
  if (flags.format !== 'safetensors') {
    try {
      const files = await savePretrained(model, flags.out, { format: flags.format as PretrainedFormat });
      if (flags.json) process.stdout.write(`${JSON.stringify({ out: flags.out, files })}\n`);
      else console.log(`exported ${flags.model} → ${flags.out}: ${files.join(', ')} (${flags.format})`);
    } finally {
      model.dispose();
    }
    return 0;
  }
  const out = await exportTorch(model);
  await mkdir(flags.out, { recursive: true });
  const written = ['model.safetensors', ...Object.keys(out.vocabFiles), 'architecture.json'];
  await writeFile(join(flags.out, 'model.safetensors'), out.weights);
  for (const [name, text] of Object.entries(out.vocabFiles)) await writeFile(join(flags.out, name), text);
  await writeFile(join(flags.out, 'architecture.json'), `${JSON.stringify(out.architecture, null, 2)}\n`);
  if (flags.json)
    process.stdout.write(`${JSON.stringify({ out: flags.out, files: written, keys: out.keys })}\n`);
  else
    console.log(`exported ${flags.model} → ${flags.out}: ${written.join(', ')} (${out.keys.length} tensors)`);
  model.dispose();
  return 0;
}
