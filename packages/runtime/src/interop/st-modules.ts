// sentence-transformers module chains without a transformer: WordEmbeddings (WhitespaceTokenizer) → [LSTM | CNN] →
// Pooling (mean | max | cls) → Dense* → [Normalize], in the v5 layout (`pooling_mode_*_tokens`,
// `word_embedding_dimension`) and the v6 one (`pooling_mode`, `embedding_dimension`). Steps are named as
// SentenceTransformer's own state_dict names them (`0.emb_layer`, `1.encoder`, `3.linear`), so every weight
// finds its step by name, and the export writes each back into its module's folder. The CNN is the one
// exception: its widths are `convs.{i}` there and `conv{k}` in the `cnn` step, renamed both ways here.
import { SiameseError } from '@siamese/core';
import {
  type Activation,
  cnn,
  dense,
  type Encoder,
  embedding,
  lstm,
  normalize,
  pooling,
  type SequentialConfig,
  type StepConfig,
  type StepSpec,
  sequential,
} from '@siamese/encoders';
import { parseSafetensors, type SafetensorsFile, serializeSafetensors } from '@siamese/safetensors';
import { WhitespaceTokenizer } from '@siamese/tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { json, type Module, type Reader, required, shortType, text, unsupported } from './folder.js';

const ACTIVATION_OF: Record<string, Activation> = {
  Tanh: 'tanh',
  Identity: 'linear',
  ReLU: 'relu',
  Sigmoid: 'sigmoid',
};

type Config = Record<string, unknown>;

/** The encoder and tokenizer of a module chain; the weights are assigned, strictly, by name. */
export async function importModuleChain(
  read: Reader,
  modules: readonly Module[],
): Promise<{ encoder: Encoder; tokenizer: WhitespaceTokenizer; description: string }> {
  const specs: StepSpec[] = [];
  const weights = new Map<string, { file: SafetensorsFile; key: string }>();
  let tokenizer: WhitespaceTokenizer | null = null;
  const described: string[] = [];
  const at = (m: Module, p: string) => (m.path === '' || m.path === '.' ? p : `${m.path}/${p}`);
  const weightsOf = async (m: Module, local: string) => {
    const file = parseSafetensors(await required(read, at(m, 'model.safetensors')));
    for (const key of file.names()) weights.set(`${m.name}.${key}`, { file, key });
    return `${m.name}.${local}`;
  };
  for (let i = 0; i < modules.length; i++) {
    const m = modules[i]!;
    const type = shortType(m.type);
    described.push(type);
    if (i === 0 && type !== 'WordEmbeddings') {
      throw unsupported(
        `modules.json: expected a WordEmbeddings or StaticEmbedding module first, found ${m.type}`,
        {
          module: m.type,
        },
      );
    }
    if (type === 'WordEmbeddings') {
      if (i !== 0)
        throw unsupported(`a WordEmbeddings module after the first (${m.path})`, { module: m.type });
      const config = ((await json(read, at(m, 'wordembedding_config.json'))) ?? {}) as Config;
      const tokClass = String(config.tokenizer_class ?? '');
      if (!tokClass.endsWith('WhitespaceTokenizer')) {
        throw unsupported(
          `WordEmbeddings with the tokenizer ${JSON.stringify(tokClass)} (only WhitespaceTokenizer)`,
          {
            tokenizer: tokClass,
          },
        );
      }
      tokenizer = WhitespaceTokenizer.fromConfig(
        text(
          await required(read, at(m, 'whitespacetokenizer_config.json')),
          at(m, 'whitespacetokenizer_config.json'),
        ),
      );
      const name = await weightsOf(m, 'emb_layer');
      const w = weights.get(`${name}.weight`);
      if (!w || w.file.info(w.key).shape.length !== 2) {
        throw new SiameseError(
          'E_MODEL_MISMATCH',
          `importPretrained: ${at(m, 'model.safetensors')} has no 2-D emb_layer.weight`,
        );
      }
      const [rows, dim] = w.file.info(w.key).shape as [number, number];
      specs.push(
        embedding({
          vocabSize: rows,
          dim,
          init: w.file.float32(w.key),
          // update_embeddings: false freezes the table in sentence-transformers; fine-tuning here keeps that.
          trainable: config.update_embeddings === true,
          name,
        }),
      );
      weights.delete(`${name}.weight`);
    } else if (type === 'LSTM') {
      const config = ((await json(read, at(m, 'lstm_config.json'))) ?? {}) as Config;
      const next = modules[i + 1];
      const mode = next && shortType(next.type) === 'Pooling' ? await poolingMode(read, next, at) : null;
      if (mode !== 'mean' && mode !== 'max') {
        throw unsupported(
          `an LSTM module followed by ${next ? `${next.type}${mode ? ` (${mode})` : ''}` : 'nothing'}: the LSTM imports with a mean or max Pooling after it`,
          { module: m.type },
        );
      }
      const name = await weightsOf(m, 'encoder');
      specs.push(
        lstm({
          hidden: Number(config.hidden_dim),
          layers: Number(config.num_layers ?? 1),
          bidirectional: config.bidirectional !== false,
          output: mode,
          packed: true,
          name,
        }),
      );
      i++; // the Pooling is the LSTM's output
      described.push('Pooling');
    } else if (type === 'CNN') {
      const config = ((await json(read, at(m, 'cnn_config.json'))) ?? {}) as Config;
      const kernelSizes = cnnWidths(config, at(m, 'cnn_config.json'));
      const next = modules[i + 1];
      if (!next || !['Pooling', 'LSTM', 'CNN'].includes(shortType(next.type))) {
        throw unsupported(
          `a CNN module followed by ${next ? next.type : 'nothing'}: its output is per token, so a Pooling (or an LSTM or CNN) must follow it`,
          { module: m.type },
        );
      }
      await weightsOf(m, 'convs');
      // `1.convs.{i}.weight` (sentence-transformers) → `1.conv{k}.weight` (the cnn step named `1`).
      kernelSizes.forEach((k, idx) => {
        for (const p of ['weight', 'bias']) {
          const w = weights.get(`${m.name}.convs.${idx}.${p}`);
          if (!w) continue; // assignByName names what is missing
          weights.delete(`${m.name}.convs.${idx}.${p}`);
          weights.set(`${m.name}.conv${k}.${p}`, w);
        }
      });
      specs.push(
        cnn({
          filters: positive(config.out_channels ?? 256, `${at(m, 'cnn_config.json')}: out_channels`),
          kernelSizes,
          activation: 'linear', // sentence-transformers' CNN has none: its Conv1d outputs go to the next module
          output: 'sequence',
          name: m.name,
        }),
      );
    } else if (type === 'Pooling') {
      const mode = await poolingMode(read, m, at);
      if (mode !== 'mean' && mode !== 'max' && mode !== 'cls') {
        throw unsupported(`the Pooling mode ${mode}`, { mode });
      }
      specs.push(pooling({ mode: mode === 'cls' ? 'first' : mode }));
    } else if (type === 'Dense') {
      const config = ((await json(read, at(m, 'config.json'))) ?? {}) as Config;
      const fn = String(config.activation_function ?? 'torch.nn.modules.activation.Tanh');
      const activation = ACTIVATION_OF[fn.slice(fn.lastIndexOf('.') + 1)];
      if (!activation) throw unsupported(`the Dense activation ${fn}`, { activation: fn });
      const name = await weightsOf(m, 'linear');
      specs.push(
        dense({ units: Number(config.out_features), activation, bias: config.bias !== false, name }),
      );
    } else if (type === 'Normalize') {
      specs.push(normalize());
    } else {
      throw unsupported(
        `the module ${m.type} (${JSON.stringify(m.path)}): chains of WordEmbeddings, LSTM, CNN, Pooling, Dense and Normalize import (not transformers or others yet)`,
        { module: m.type },
      );
    }
  }
  const encoder = sequential(specs, { seed: 0 });
  try {
    assignByName(encoder, weights);
  } catch (e) {
    encoder.dispose();
    throw e;
  }
  return { encoder, tokenizer: tokenizer!, description: described.join(' → ') };
}

/** `kernel_sizes` of a `cnn_config.json` (default [1, 3, 5], as the module's constructor), checked. */
function cnnWidths(config: Config, where: string): number[] {
  const sizes = config.kernel_sizes ?? [1, 3, 5];
  if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > 64) {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `importPretrained: ${where}: expected kernel_sizes to be a list of 1 to 64 widths, found ${JSON.stringify(sizes)}`,
    );
  }
  const widths = sizes.map((k, i) => positive(k, `${where}: kernel_sizes[${i}]`));
  // Conv1d(padding=(k-1)/2) keeps T positions only for odd k: an even width gives T-1, which the concatenation
  // and the Pooling after it cannot take (the module fails in PyTorch too).
  const even = widths.filter((k) => k % 2 === 0);
  if (even.length) {
    throw unsupported(
      `${where}: the even kernel size ${even[0]} (sentence-transformers pads (k-1)/2 on each side, so an even width drops a position and its CNN cannot run)`,
      { kernelSizes: widths },
    );
  }
  if (new Set(widths).size !== widths.length) {
    throw unsupported(`${where}: a kernel size listed twice (${widths.join(', ')})`, { kernelSizes: widths });
  }
  return widths;
}

/** A positive integer from a module config, or `E_MODEL_CORRUPT` naming the file and key. */
function positive(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1 << 20) {
    throw new SiameseError(
      'E_MODEL_CORRUPT',
      `importPretrained: ${where}: expected an integer from 1 to ${1 << 20}, found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

async function poolingMode(read: Reader, m: Module, at: (m: Module, p: string) => string): Promise<string> {
  const config = ((await json(read, at(m, 'config.json'))) ?? {}) as Config;
  if (typeof config.pooling_mode === 'string') return config.pooling_mode; // v6: one mode by name
  const on = Object.entries(config)
    .filter(([k, v]) => /^pooling_mode_.*/.test(k) && v === true)
    .map(([k]) =>
      k
        .replace(/^pooling_mode_/, '')
        .replace(/_tokens?$/, '')
        .replace(/_token$/, ''),
    );
  if (on.length !== 1)
    throw unsupported(`${at(m, 'config.json')}: ${on.length} pooling modes on (${on.join(', ')})`, {
      modes: on,
    });
  return on[0]!; // v5: `pooling_mode_max_tokens` → `max`, `pooling_mode_cls_token` → `cls`
}

function assignByName(encoder: Encoder, weights: Map<string, { file: SafetensorsFile; key: string }>): void {
  const wanted = encoder.weights();
  const missing = [...wanted.keys()].filter((k) => !weights.has(k) && !k.endsWith('emb_layer.weight'));
  const unexpected = [...weights.keys()].filter((k) => !wanted.has(k));
  if (missing.length || unexpected.length) {
    throw new SiameseError(
      'E_MODEL_MISMATCH',
      `importPretrained: the module weights do not fit their configs:${missing.length ? ` missing ${missing.join(', ')};` : ''}${unexpected.length ? ` unexpected ${unexpected.join(', ')}` : ''}`,
      { details: { missing, unexpected } },
    );
  }
  for (const [name, { file, key }] of weights) {
    const v = wanted.get(name)!;
    const shape = file.info(key).shape;
    if (shape.join('x') !== v.shape.join('x')) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `importPretrained: "${key}" of module ${name.slice(0, name.indexOf('.'))} has shape [${shape.join(', ')}], its config says [${v.shape.join(', ')}]`,
        { details: { name, found: shape, expected: v.shape } },
      );
    }
    tf.tidy(() => v.assign(tf.tensor(file.float32(key), v.shape, 'float32')));
  }
}

/** Whether {@link exportModuleChain} can write this encoder (it came from {@link importModuleChain} or looks so). */
export function isModuleChain(config: SequentialConfig): boolean {
  return (
    config.steps[0]?.type === 'embedding' &&
    typeof config.steps[0].name === 'string' &&
    /^\d+\.emb_layer$/.test(config.steps[0].name)
  );
}

/** The module folders of a chain, as sentence-transformers v5 writes them. */
export async function exportModuleChain(
  encoder: Encoder,
  tokenizer: WhitespaceTokenizer,
): Promise<Record<string, Uint8Array | string>> {
  const config = encoder.getConfig() as SequentialConfig;
  const weights = encoder.weights();
  const files: Record<string, Uint8Array | string> = {};
  const modules: { path: string; type: string }[] = [];
  const add = (type: string, folder: string) => {
    const path = `${modules.length}_${folder}`;
    modules.push({ path, type: `sentence_transformers.models.${type}` });
    return path;
  };
  const pretty = (o: unknown) => `${JSON.stringify(o, null, 2)}\n`;
  const tensorsOf = async (name: string) => {
    const out: [string, { data: Float32Array; shape: number[] }][] = [];
    // `1.encoder.weight_ih_l0` → the module's own `encoder.weight_ih_l0`.
    const moduleIndex = name.slice(0, name.indexOf('.') + 1);
    for (const [k, v] of weights) {
      if (k.startsWith(`${name}.`))
        out.push([k.slice(moduleIndex.length), { data: (await v.data()) as Float32Array, shape: v.shape }]);
    }
    return serializeSafetensors(out.sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  };
  let width = 0;
  for (const step of config.steps as (StepConfig & Config)[]) {
    const name = String(step.name ?? '');
    if (step.type === 'embedding') {
      const p = add('WordEmbeddings', 'WordEmbeddings');
      width = Number(step.dim);
      files[`${p}/wordembedding_config.json`] = pretty({
        tokenizer_class: 'sentence_transformers.models.tokenizer.WhitespaceTokenizer.WhitespaceTokenizer',
        update_embeddings: step.trainable === true,
        max_seq_length: 1000000,
      });
      files[`${p}/whitespacetokenizer_config.json`] = JSON.stringify(tokenizer.toConfig());
      files[`${p}/model.safetensors`] = await tensorsOf(name);
    } else if (step.type === 'lstm') {
      const p = add('LSTM', 'LSTM');
      const hidden = Number(step.hidden);
      files[`${p}/lstm_config.json`] = pretty({
        word_embedding_dimension: width,
        hidden_dim: hidden,
        num_layers: Number(step.layers ?? 1),
        dropout: 0,
        bidirectional: step.bidirectional === true,
      });
      files[`${p}/model.safetensors`] = await tensorsOf(name);
      width = hidden * (step.bidirectional ? 2 : 1);
      const q = add('Pooling', 'Pooling');
      files[`${q}/config.json`] = pretty(poolingConfig(width, String(step.output)));
    } else if (step.type === 'cnn') {
      const widths = (step.kernelSizes as number[] | undefined) ?? [1, 2, 3];
      if (step.output !== 'sequence' || step.activation !== 'linear' || widths.some((k) => k % 2 === 0)) {
        throw new SiameseError(
          'E_EXPORT_UNSUPPORTED',
          `exportPretrained: sentence-transformers' CNN is cnn({ activation: 'linear', output: 'sequence' }) with odd kernel sizes; found activation ${String(step.activation)}, output ${String(step.output ?? 'max')}, kernel sizes [${widths.join(', ')}]`,
        );
      }
      const p = add('CNN', 'CNN');
      const filters = Number(step.filters);
      files[`${p}/cnn_config.json`] = pretty({
        in_word_embedding_dimension: width,
        out_channels: filters,
        kernel_sizes: widths,
      });
      const tensors: [string, { data: Float32Array; shape: number[] }][] = [];
      for (const [idx, k] of widths.entries()) {
        for (const part of ['weight', 'bias']) {
          const v = weights.get(step.name ? `${name}.conv${k}.${part}` : `conv${k}.${part}`)!;
          tensors.push([`convs.${idx}.${part}`, { data: (await v.data()) as Float32Array, shape: v.shape }]);
        }
      }
      files[`${p}/model.safetensors`] = serializeSafetensors(tensors.sort((a, b) => (a[0] < b[0] ? -1 : 1)));
      width = filters * widths.length;
    } else if (step.type === 'pooling') {
      const q = add('Pooling', 'Pooling');
      files[`${q}/config.json`] = pretty(
        poolingConfig(width, step.mode === 'first' ? 'cls' : String(step.mode)),
      );
    } else if (step.type === 'dense') {
      const p = add('Dense', 'Dense');
      const fn = Object.entries(ACTIVATION_OF).find(([, a]) => a === step.activation)![0];
      files[`${p}/config.json`] = pretty({
        in_features: width,
        out_features: Number(step.units),
        bias: step.bias !== false,
        activation_function: `torch.nn.modules.${fn === 'Identity' ? 'linear' : 'activation'}.${fn}`,
      });
      files[`${p}/model.safetensors`] = await tensorsOf(name);
      width = Number(step.units);
    } else if (step.type === 'normalize') {
      add('Normalize', 'Normalize');
    } else {
      throw new SiameseError(
        'E_EXPORT_UNSUPPORTED',
        `exportPretrained: the step ${step.type} has no sentence-transformers module`,
      );
    }
  }
  files['modules.json'] = `${JSON.stringify(
    modules.map((m, idx) => ({ idx, name: String(idx), path: m.path, type: m.type })),
    null,
    2,
  )}\n`;
  return files;
}

function poolingConfig(width: number, mode: string): Config {
  return {
    word_embedding_dimension: width,
    pooling_mode_cls_token: mode === 'cls',
    pooling_mode_mean_tokens: mode === 'mean',
    pooling_mode_max_tokens: mode === 'max',
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
  };
}
