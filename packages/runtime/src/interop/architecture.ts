import { SiameseError } from '@siamese/core';
import type { SequentialConfig, StepConfig } from '@siamese/encoders';
import type { TensorInfo } from '@siamese/safetensors';

/** Options of {@link inferArchitecture}. */
export interface InferArchitectureOptions {
  /** Rows the tokenizer needs: picks the embedding among 2-D weights without a bias. */
  vocabSize?: number;
  /**
   * LSTMs skip the pads (default `true`: PyTorch packed sequences, or one sentence at a time); `false` reads them,
   * as an unpacked PyTorch LSTM does on a right-padded batch.
   */
  packed?: boolean;
}

type Module =
  | { kind: 'lstm'; prefix: string; keys: TensorInfo[] }
  | { kind: 'cnn'; prefix: string; convs: Map<number, TensorInfo[]> }
  | { kind: 'linear'; prefix: string; weight?: TensorInfo; bias?: TensorInfo };

const LSTM_KEY = /^(?:(.*)\.)?(?:weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)(_reverse)?$/;
const CONV_KEY = /^(?:(.*)\.)?conv(\d+)\.(weight|bias)$/;
const LINEAR_KEY = /^(?:(.*)\.)?(weight|bias)$/;

/**
 * Infers a `sequential` encoder from the names and shapes of a PyTorch `state_dict` (as `nn.Module`s name them):
 * an `nn.Embedding` (`<m>.weight` `[V, D]`), then an `nn.LSTM` (`<m>.weight_ih_l{k}[_reverse]` …: stacked and
 * bidirectional, its final state `h_n` of the last layer, both directions concatenated), or a text CNN
 * (`<m>.conv{k}.weight` `[F, D, k]`, ReLU, max over time), or neither (a masked mean of the token vectors), then
 * the `nn.Linear` layers (`<m>.weight` `[out, in]`, `<m>.bias`) chained by their widths, without activation.
 * Each step is named after its module path, so the weights assign by name and export under the same keys.
 * Throws `E_IMPORT_ARCHITECTURE` when the keys do not make one such chain (name the architecture then).
 */
export function inferArchitecture(
  tensors: readonly TensorInfo[],
  options: InferArchitectureOptions = {},
): SequentialConfig {
  const modules = groupModules(tensors);
  const linear = modules.filter((m) => m.kind === 'linear');
  const embedding = pickEmbedding(linear, options.vocabSize);
  const rest = modules.filter((m) => m !== embedding);
  const steps: StepConfig[] = [];
  const [rows, dim] = embedding.weight!.shape as [number, number];
  steps.push({
    type: 'embedding',
    vocabSize: rows,
    dim,
    init: 'pretrained',
    trainable: true,
    name: embedding.prefix,
  });
  let width = dim;
  let sequence = true;
  while (rest.length > 0) {
    const next = rest.filter((m) => inputWidth(m) === width && (sequence || m.kind === 'linear'));
    if (next.length !== 1) {
      throw architectureError(
        next.length === 0
          ? `no module takes the ${width}-wide output of ${steps.at(-1)!.name ?? steps.at(-1)!.type} (left: ${rest.map(describe).join(', ')})`
          : `several modules take the ${width}-wide output of ${steps.at(-1)!.name ?? steps.at(-1)!.type}: ${next.map(describe).join(', ')}`,
      );
    }
    const m = next[0]!;
    rest.splice(rest.indexOf(m), 1);
    if (m.kind === 'lstm') {
      const layers = new Set(m.keys.map((k) => LSTM_KEY.exec(k.name)![2])).size;
      const bidirectional = m.keys.some((k) => k.name.endsWith('_reverse'));
      const hh = m.keys.find((k) => /weight_hh_l0$/.test(k.name));
      if (!hh) throw architectureError(`LSTM ${describe(m)} has no weight_hh_l0`);
      const hidden = hh.shape[1]!;
      steps.push({
        type: 'lstm',
        hidden,
        layers,
        bidirectional,
        output: 'last',
        dropout: 0,
        packed: options.packed ?? true,
        name: m.prefix,
      });
      width = hidden * (bidirectional ? 2 : 1);
      sequence = false;
    } else if (m.kind === 'cnn') {
      const kernelSizes = [...m.convs.keys()].sort((a, b) => a - b);
      const filters = m.convs.get(kernelSizes[0]!)!.find((t) => t.name.endsWith('.weight'))!.shape[0]!;
      steps.push({ type: 'cnn', filters, kernelSizes, activation: 'relu', name: m.prefix });
      width = filters * kernelSizes.length;
      sequence = false;
    } else {
      if (sequence) {
        steps.push({ type: 'pooling', mode: 'mean' });
        sequence = false;
      }
      const units = m.weight!.shape[0]!;
      steps.push({ type: 'dense', units, activation: 'linear', bias: m.bias !== undefined, name: m.prefix });
      width = units;
    }
  }
  if (sequence) steps.push({ type: 'pooling', mode: 'mean' });
  return { type: 'sequential', seed: 0, steps };
}

function groupModules(tensors: readonly TensorInfo[]): Module[] {
  const byPrefix = new Map<string, Module>();
  const get = (kind: Module['kind'], prefix: string, make: () => Module): Module => {
    const key = `${kind}:${prefix}`;
    const found = byPrefix.get(key);
    if (found) return found;
    const made = make();
    byPrefix.set(key, made);
    return made;
  };
  for (const t of tensors) {
    const lstm = LSTM_KEY.exec(t.name);
    const conv = lstm ? null : CONV_KEY.exec(t.name);
    const linear = lstm || conv ? null : LINEAR_KEY.exec(t.name);
    if (lstm) {
      const prefix = lstm[1] ?? '';
      const mod = get('lstm', prefix, () => ({ kind: 'lstm', prefix, keys: [] }));
      (mod as Extract<Module, { kind: 'lstm' }>).keys.push(t);
    } else if (conv && t.shape.length === (conv[3] === 'bias' ? 1 : 3)) {
      const prefix = conv[1] ?? '';
      const mod = get('cnn', prefix, () => ({ kind: 'cnn', prefix, convs: new Map() })) as Extract<
        Module,
        { kind: 'cnn' }
      >;
      const k = Number(conv[2]);
      mod.convs.set(k, [...(mod.convs.get(k) ?? []), t]);
    } else if (linear && t.shape.length === (linear[2] === 'weight' ? 2 : 1)) {
      const prefix = linear[1] ?? '';
      const mod = get('linear', prefix, () => ({ kind: 'linear', prefix })) as Extract<
        Module,
        { kind: 'linear' }
      >;
      mod[linear[2] as 'weight' | 'bias'] = t;
    } else {
      throw architectureError(
        `the weight "${t.name}" [${t.shape.join(', ')}] is not part of an nn.Embedding, nn.LSTM, text CNN or nn.Linear`,
      );
    }
  }
  const modules = [...byPrefix.values()];
  for (const m of modules) {
    if (m.kind === 'linear' && !m.weight) throw architectureError(`${describe(m)} has a bias but no weight`);
  }
  return modules;
}

function pickEmbedding(linear: Module[], vocabSize: number | undefined): Extract<Module, { kind: 'linear' }> {
  const noBias = linear.filter(
    (m): m is Extract<Module, { kind: 'linear' }> => m.kind === 'linear' && !m.bias,
  );
  let candidates = noBias.filter((m) => vocabSize === undefined || m.weight!.shape[0]! >= vocabSize);
  if (candidates.length > 1) {
    const named = candidates.filter((m) => /emb/i.test(m.prefix));
    if (named.length > 0) candidates = named;
  }
  if (candidates.length !== 1) {
    throw architectureError(
      candidates.length === 0
        ? `no nn.Embedding: expected a 2-D "<module>.weight" without a bias${vocabSize === undefined ? '' : ` and at least ${vocabSize} rows (the tokenizer's ids)`}`
        : `several weights could be the nn.Embedding: ${candidates.map(describe).join(', ')}`,
    );
  }
  return candidates[0]!;
}

function inputWidth(m: Module): number {
  if (m.kind === 'lstm') return m.keys.find((k) => /weight_ih_l0$/.test(k.name))?.shape[1] ?? -1;
  if (m.kind === 'cnn')
    return [...m.convs.values()][0]!.find((t) => t.name.endsWith('.weight'))?.shape[1] ?? -1;
  return m.weight!.shape[1]!;
}

function describe(m: Module): string {
  const name = m.prefix === '' ? '(root)' : m.prefix;
  if (m.kind === 'lstm') return `LSTM ${name}`;
  if (m.kind === 'cnn') return `CNN ${name}`;
  return `${name} [${m.weight!.shape.join(', ')}]${m.bias ? ' + bias' : ''}`;
}

function architectureError(message: string): SiameseError<'E_IMPORT_ARCHITECTURE'> {
  return new SiameseError(
    'E_IMPORT_ARCHITECTURE',
    `importTorch: cannot infer the architecture from the state_dict: ${message}. Pass \`architecture\` (the steps, named after the module paths).`,
  );
}
