import { SiameseError } from '@siamese/core';
import { type EvaluationData, type EvaluationMetrics, evaluate } from '../eval/evaluate.js';
import type { SiameseModel } from '../model.js';
import { trackedMetric } from './early-stopping.js';

/** Several named dev sets evaluated after each epoch: `{ sts: scoredPairs, mrpc: labelledPairs }`. */
export type DevSets = Readonly<Record<string, EvaluationData>>;

/** What one dev evaluation gives: the tracked set's metrics and value, and every named set's metrics. */
export interface DevResult {
  metrics: EvaluationMetrics;
  value: number;
  sets?: Record<string, EvaluationMetrics>;
}

/** One data set (array, `{queries, …}` or `{texts, duplicates}`) rather than named sets. */
function isSingle(dev: EvaluationData | DevSets): dev is EvaluationData {
  if (Array.isArray(dev)) return true;
  const o = dev as Record<string, unknown>;
  return (
    (Array.isArray(o.queries) && Array.isArray(o.corpus) && Array.isArray(o.relevant)) ||
    (Array.isArray(o.texts) && Array.isArray(o.duplicates))
  );
}

/**
 * Which named set and metric `metric` names (`'sts/spearman'`; a bare `'sts'` takes the set's default metric);
 * without `metric`, the first set's default. Checked before training, so a typo fails at once.
 */
export function devTarget(dev: EvaluationData | DevSets, metric: string | undefined) {
  if (dev === null || typeof dev !== 'object')
    throw new SiameseError('E_INVALID_ARGUMENT', 'fit: expected dev to be evaluation data or named dev sets');
  if (isSingle(dev)) return { set: undefined, metric };
  const names = Object.keys(dev);
  if (names.length === 0)
    throw new SiameseError('E_INVALID_ARGUMENT', 'fit: dev: expected at least one named dev set, found none');
  if (metric === undefined) return { set: names[0]!, metric: undefined };
  const slash = metric.lastIndexOf('/');
  const set = slash < 0 ? metric : metric.slice(0, slash);
  if (!names.includes(set)) {
    throw new SiameseError(
      'E_INVALID_ARGUMENT',
      `fit: metric '${metric}' names no dev set: expected '<set>/<metric>' with a set among ${names.join(', ')} (for example '${names[0]}/spearman')`,
      { details: { metric, sets: names } },
    );
  }
  return { set, metric: slash < 0 ? undefined : metric.slice(slash + 1) };
}

/** Evaluates the dev data (one set or several) and picks the tracked metric. */
export async function evaluateDev(
  model: SiameseModel,
  dev: EvaluationData | DevSets,
  metric: string | undefined,
): Promise<DevResult> {
  const target = devTarget(dev, metric);
  if (target.set === undefined) {
    const metrics = await evaluate(model, dev as EvaluationData);
    return { metrics, value: trackedMetric(metrics, metric).value };
  }
  const sets: Record<string, EvaluationMetrics> = {};
  for (const [name, data] of Object.entries(dev as DevSets)) {
    try {
      sets[name] = await evaluate(model, data);
    } catch (e) {
      if (e instanceof SiameseError) {
        throw new SiameseError(e.code, `dev set '${name}': ${e.message}`, {
          details: { set: name },
          cause: e,
        });
      }
      throw e;
    }
  }
  const metrics = sets[target.set]!;
  return { metrics, value: trackedMetric(metrics, target.metric).value, sets };
}
