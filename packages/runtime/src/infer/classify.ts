import { describeValue, SiameseError } from '@siamese/core';
import type { LabelledText } from '@siamese/pairs';
import type { EmbedOptions, SiameseModel } from '../model.js';
import { vectorSimilarity } from './vector-similarity.js';

/**
 * Answer of {@link classify}: the winning label (or the reject answer), its score and every label's score.
 */
export interface ClassifyResult {
  /**
   * The winning label; when `score` is under the threshold, `noMatchLabel` (null unless given). Never null
   * without a threshold.
   */
  label: LabelledText['label'] | null;
  /** The winning label's mean similarity to the text (over its top-k examples, or over its voters with `knn`). */
  score: number;
  /** The winning label, whether or not it was rejected. */
  best: LabelledText['label'];
  /** Whether `score` fell under the threshold. */
  rejected: boolean;
  /**
   * Per label (as a string key): `mean`, the mean similarity of its top-k examples to the text; `knn`, its
   * share of the k nearest examples' votes.
   */
  scores: Record<string, number>;
}

/** Options of {@link classify} and {@link FewShotClassifier}. */
export interface ClassifyOptions {
  /** `mean` (default): examples per label that count (fewer if a label has fewer). `knn`: neighbours that vote. Default 3. */
  k?: number;
  /**
   * How labels compete. `mean` (default): the label whose k most similar examples are, on average, most
   * similar. `knn`: the k most similar examples of any label vote; most votes wins, ties go to the higher
   * summed similarity.
   */
  vote?: 'mean' | 'knn';
  /** Reject a text whose winning score is under this similarity: it gets `noMatchLabel`. Default: never reject. */
  threshold?: number;
  /** The answer for a rejected text (default null), for example `'other'`. */
  noMatchLabel?: LabelledText['label'] | null;
}

/**
 * Few-shot classification: the label whose examples are most similar to `text` under the model's similarity
 * (see {@link ClassifyOptions.vote}), or `noMatchLabel` when even the best is under `threshold`. Embeds the
 * examples on every call: to classify many texts, build a {@link FewShotClassifier} once.
 */
export async function classify(
  model: SiameseModel,
  text: string,
  examples: readonly LabelledText[],
  options: ClassifyOptions = {},
): Promise<ClassifyResult> {
  checkExamples(examples);
  const settings = checkOptions(options);
  const m = await model.embedMatrix([text, ...examples.map((e) => e.text)]);
  const d = model.dim;
  return decide(
    m.subarray(0, d),
    m.subarray(d),
    examples.map((e) => e.label),
    d,
    model,
    settings,
  );
}

/** What {@link FewShotClassifier.calibrate} found. */
export interface ClassifierCalibration {
  /** The reject threshold now in use (`-Infinity`: rejecting never helped). */
  threshold: number;
  /** Share of dev texts answered right at that threshold: the right label, or a reject for an unknown one. */
  accuracy: number;
  /** The same share without any reject. */
  accuracyWithoutReject: number;
  /** Share of dev texts rejected at the threshold. */
  rejectRate: number;
  n: number;
}

/**
 * What a saved classifier holds (see `saveModel`'s `classifier` option): its examples, their vectors as the
 * model embedded them, its settings and its last calibration.
 */
export interface ClassifierContents {
  /** The examples' texts. */
  texts: readonly string[];
  /** The examples' labels, in the same order. */
  labels: readonly LabelledText['label'][];
  /** The examples' vectors, row-major (examples × model.dim). */
  vectors: Float32Array;
  /** Its settings, every default filled in (`threshold` -Infinity: never reject). */
  options: Required<ClassifyOptions>;
  /** What the last {@link FewShotClassifier.calibrate} found, or null. */
  calibration: ClassifierCalibration | null;
}

/**
 * A few-shot classifier whose reference examples are embedded once: `classify` embeds only the text. Build it
 * with {@link FewShotClassifier.create}; {@link FewShotClassifier.calibrate} picks the reject threshold on dev
 * texts, some of whose labels may be unknown to the examples (those should be rejected). Save it with its model
 * (`saveModel(model, path, { classifier })`): the loaded model's `classifier` embeds nothing but the text.
 *
 * @example
 * ```ts
 * const classifier = await FewShotClassifier.create(model, examples, { k: 3, noMatchLabel: 'other' });
 * await classifier.calibrate(devTexts); // {text, label}; a label no example has means "should be rejected"
 * const { label, score } = await classifier.classify('my card was charged twice');
 * await saveModel(model, 'model', { classifier }); // later: (await loadModel('model')).classifier
 * ```
 */
export class FewShotClassifier {
  private settings: Required<ClassifyOptions>;
  private lastCalibration: ClassifierCalibration | null;

  private constructor(
    readonly model: SiameseModel,
    /** The examples' vectors, row-major (examples × model.dim). */
    readonly vectors: Float32Array,
    readonly labels: readonly LabelledText['label'][],
    /** The examples' texts, in the order of `labels`. */
    readonly texts: readonly string[],
    options: ClassifyOptions,
    calibration: ClassifierCalibration | null = null,
  ) {
    this.settings = checkOptions(options);
    this.lastCalibration = calibration;
  }

  /** Embeds the examples once (batched; `embed` options such as `workers` apply). */
  static async create(
    model: SiameseModel,
    examples: readonly LabelledText[],
    options: ClassifyOptions & { embed?: EmbedOptions } = {},
  ): Promise<FewShotClassifier> {
    checkExamples(examples);
    const { embed, ...rest } = options;
    checkOptions(rest);
    const texts = examples.map((e) => e.text);
    const vectors = await model.embedMatrix(texts, embed);
    return new FewShotClassifier(
      model,
      vectors,
      examples.map((e) => e.label),
      texts,
      rest,
    );
  }

  /**
   * A classifier from saved contents (what {@link FewShotClassifier.contents} returned), embedding nothing. The
   * vectors must be `model`'s: N × `model.dim` values for N examples, all finite (`E_MODEL_MISMATCH` otherwise).
   */
  static fromContents(model: SiameseModel, contents: ClassifierContents): FewShotClassifier {
    const { texts, labels, vectors, options, calibration } = contents;
    checkExamples(
      texts.map((text, i) => ({ text, label: labels[i]! })),
      'FewShotClassifier.fromContents',
    );
    if (labels.length !== texts.length || vectors.length !== texts.length * model.dim) {
      throw new SiameseError(
        'E_MODEL_MISMATCH',
        `FewShotClassifier.fromContents: expected ${texts.length} labels and ${texts.length}×${model.dim} vector values (the model's dimension), found ${labels.length} labels and ${vectors.length} values`,
        { details: { texts: texts.length, labels: labels.length, values: vectors.length, dim: model.dim } },
      );
    }
    return new FewShotClassifier(model, vectors, [...labels], [...texts], options, calibration);
  }

  /** What saving stores: the examples, their vectors, the settings and the last calibration. */
  contents(): ClassifierContents {
    return {
      texts: this.texts,
      labels: this.labels,
      vectors: this.vectors,
      options: { ...this.settings },
      calibration: this.lastCalibration,
    };
  }

  /** The reject threshold in use, or undefined. */
  get threshold(): number | undefined {
    return Number.isFinite(this.settings.threshold) ? this.settings.threshold : undefined;
  }

  /** Its settings, every default filled in (`threshold` -Infinity: never reject). */
  get options(): Required<ClassifyOptions> {
    return { ...this.settings };
  }

  /** What the last {@link FewShotClassifier.calibrate} found (kept when saved), or null. */
  get calibration(): ClassifierCalibration | null {
    return this.lastCalibration;
  }

  /** Classifies one text; `options` override the classifier's settings for this call. */
  async classify(text: string, options: ClassifyOptions = {}): Promise<ClassifyResult> {
    return (await this.classifyMany([text], options))[0]!;
  }

  /** Classifies texts, embedded in one batched pass; `options` override the classifier's settings for this call. */
  async classifyMany(texts: readonly string[], options: ClassifyOptions = {}): Promise<ClassifyResult[]> {
    const settings = checkOptions({ ...this.settings, ...definedOnly(options) });
    const d = this.model.dim;
    const q = await this.model.embedMatrix(texts);
    return texts.map((_, i) =>
      decide(q.subarray(i * d, (i + 1) * d), this.vectors, this.labels, d, this.model, settings),
    );
  }

  /**
   * Picks the reject threshold that answers most dev texts right, and keeps it: a text whose label is among
   * the examples' should get it, a text with any other label should be rejected. Thresholds are tried halfway
   * between neighbouring dev scores; ties keep the lower threshold (fewer rejects).
   */
  async calibrate(dev: readonly LabelledText[]): Promise<ClassifierCalibration> {
    checkExamples(dev, 'calibrate');
    const known = new Set(this.labels.map(String));
    const unthresholded = { ...this.settings, threshold: Number.NEGATIVE_INFINITY };
    const d = this.model.dim;
    const q = await this.model.embedMatrix(dev.map((r) => r.text));
    const rows = dev.map((r, i) => {
      const res = decide(
        q.subarray(i * d, (i + 1) * d),
        this.vectors,
        this.labels,
        d,
        this.model,
        unthresholded,
      );
      return {
        score: res.score,
        right: String(res.best) === String(r.label),
        unknown: !known.has(String(r.label)),
      };
    });
    const best = rejectThreshold(rows);
    this.settings = { ...this.settings, threshold: best.threshold };
    this.lastCalibration = { ...best, n: rows.length };
    return this.lastCalibration;
  }
}

/** The options a caller actually set (an explicit `undefined` keeps the classifier's own). */
function definedOnly(o: ClassifyOptions): ClassifyOptions {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ClassifyOptions;
}

/**
 * The reject threshold that answers most rows right: a row scoring under it is rejected, which is right for
 * an `unknown` row and wrong for a `right` one. Thresholds are tried halfway between neighbouring scores (above
 * the top one, everything is rejected); ties keep the lower threshold.
 */
export function rejectThreshold(
  rows: readonly { score: number; right: boolean; unknown: boolean }[],
): Omit<ClassifierCalibration, 'n'> {
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  let correct = sorted.filter((r) => r.right).length;
  const n = sorted.length;
  let best = { threshold: Number.NEGATIVE_INFINITY, correct, rejected: 0 };
  // Walk thresholds upwards: passing a row rejects it.
  for (let t = 0; t < n; t++) {
    const r = sorted[t]!;
    correct += (r.unknown ? 1 : 0) - (r.right ? 1 : 0);
    const next = sorted[t + 1]?.score;
    if (next === r.score) continue;
    const threshold = next === undefined ? r.score + 1e-6 : (r.score + next) / 2;
    if (correct > best.correct) best = { threshold, correct, rejected: t + 1 };
  }
  return {
    threshold: best.threshold,
    accuracy: best.correct / n,
    accuracyWithoutReject: sorted.filter((r) => r.right).length / n,
    rejectRate: best.rejected / n,
  };
}

/** Scores one query vector against the examples' vectors and decides. */
function decide(
  q: Float32Array,
  vectors: Float32Array,
  labels: readonly LabelledText['label'][],
  d: number,
  model: SiameseModel,
  o: Required<ClassifyOptions>,
): ClassifyResult {
  const sims = labels.map((_, i) =>
    vectorSimilarity(q, vectors.subarray(i * d, (i + 1) * d), model.similarity),
  );
  const byLabel = new Map<string, { label: LabelledText['label']; sims: number[] }>();
  const add = (i: number) => {
    const key = String(labels[i]);
    const entry = byLabel.get(key) ?? { label: labels[i]!, sims: [] as number[] };
    entry.sims.push(sims[i]!);
    byLabel.set(key, entry);
  };
  if (o.vote === 'knn') {
    const order = sims.map((_, i) => i).sort((a, b) => sims[b]! - sims[a]! || a - b);
    for (const i of order.slice(0, o.k)) add(i);
  } else {
    for (let i = 0; i < labels.length; i++) add(i);
  }
  const scores: Record<string, number> = {};
  const voters = Math.min(o.k, labels.length);
  let best: LabelledText['label'] = labels[0]!;
  let score = Number.NEGATIVE_INFINITY;
  let rank = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const [key, { label, sims: s }] of byLabel) {
    const top = s.sort((a, b) => b - a).slice(0, o.k);
    const sum = top.reduce((a, b) => a + b, 0);
    const mean = sum / top.length;
    // mean: the mean decides. knn: the votes decide, then the summed similarity.
    const mine = o.vote === 'knn' ? [top.length, sum] : [mean, 0];
    scores[key] = o.vote === 'knn' ? top.length / voters : mean;
    if (mine[0]! > rank[0]! || (mine[0] === rank[0] && mine[1]! > rank[1]!)) {
      rank = mine;
      score = mean;
      best = label;
    }
  }
  const rejected = score < o.threshold;
  return { label: rejected ? o.noMatchLabel : best, score, best, rejected, scores };
}

function checkExamples(examples: readonly LabelledText[], what = 'classify'): void {
  if (!Array.isArray(examples) || examples.length === 0)
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `${what}: expected at least one labelled example, found none`,
    );
  examples.forEach((e, i) => {
    if (typeof e?.text !== 'string' || !isLabel(e?.label)) {
      throw new SiameseError(
        'E_INVALID_ARGUMENT',
        `${what}: examples[${i}]: expected {text: string, label: string | finite number}`,
        { details: { index: i } },
      );
    }
  });
}

function checkOptions(o: ClassifyOptions): Required<ClassifyOptions> {
  const k = o.k ?? 3;
  if (!Number.isInteger(k) || k < 1)
    throw new SiameseError('E_INVALID_ARGUMENT', `classify: expected k to be a whole number ≥ 1, found ${k}`);
  const vote = o.vote ?? 'mean';
  if (vote !== 'mean' && vote !== 'knn')
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `classify: expected vote 'mean' or 'knn', found ${String(vote)}`,
    );
  const threshold = o.threshold ?? Number.NEGATIVE_INFINITY;
  if (typeof threshold !== 'number' || Number.isNaN(threshold))
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `classify: expected threshold to be a number, found ${threshold}`,
    );
  const noMatchLabel = o.noMatchLabel ?? null;
  if (noMatchLabel !== null && !isLabel(noMatchLabel))
    throw SiameseError.expected(
      'E_INVALID_ARGUMENT',
      'classify: noMatchLabel',
      'a string, a finite number or null',
      describeValue(noMatchLabel),
    );
  return { k, vote, threshold, noMatchLabel };
}

/** A label of a labelled text: a string or a finite number. */
export function isLabel(value: unknown): value is LabelledText['label'] {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}
