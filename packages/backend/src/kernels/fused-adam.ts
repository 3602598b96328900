import { SiameseError } from '@siamese/core';
import {
  AdamOptimizer,
  engine,
  getBackend,
  getKernel,
  mul,
  type NamedAttrMap,
  type NamedTensorMap,
  reshape,
  type Tensor,
  tidy,
  type Variable,
  variable,
  zerosLike,
} from '@tensorflow/tfjs-core';
import { ADAM_UPDATE } from './adam-update.js';

/** A named tensor, as tfjs' optimizers take and give them (the type is not exported by tfjs-core). */
type NamedTensor = { name: string; tensor: Tensor };

/** The AdamOptimizer state this subclass reuses (private in tfjs' typings, same object at runtime). */
interface AdamState {
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
}

/**
 * Names of the β-power accumulators β1ᵗ⁺¹ and β2ᵗ⁺¹ in `getWeights({ betaPowers: true })` (TensorFlow 1's names for
 * the same state).
 */
export const ADAM_BETA_POWERS = ['beta1_power', 'beta2_power'] as const;

/**
 * tfjs' `AdamOptimizer` with the per-variable update fused into one kernel pass ({@link ADAM_UPDATE}, on wasm and
 * cpu after `initBackend`). Same formula, defaults, state, `getWeights`/`setWeights` and serialisation as
 * `tf.train.adam`, so checkpoints move freely between the two; on other backends it is plain tfjs Adam.
 * For an exact resume, save `getWeights({ betaPowers: true })`: tfjs' own `setWeights` recomputes the β-powers
 * as `pow(β, t + 1)`, which is not the float32 product the steps accumulated (0.999²¹ differs in the 8th digit),
 * so a resumed run would drift from an uninterrupted one.
 */
export class FusedAdamOptimizer extends AdamOptimizer {
  /** Sets the learning rate of the next updates (what a schedule calls between steps). */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  /** The learning rate of the next update. */
  getLearningRate(): number {
    return this.learningRate;
  }

  /**
   * tfjs' weights (iterations, first moments, second moments); with `betaPowers`, also the two β-power
   * accumulators as the float32 scalars they are ({@link ADAM_BETA_POWERS}), which {@link setWeights} restores.
   */
  override async getWeights(options: { betaPowers?: boolean } = {}): Promise<NamedTensor[]> {
    const weights = await super.getWeights();
    if (!options.betaPowers) return weights;
    const self = this as unknown as AdamState;
    return [
      ...weights,
      { name: ADAM_BETA_POWERS[0], tensor: self.accBeta1 },
      { name: ADAM_BETA_POWERS[1], tensor: self.accBeta2 },
    ];
  }

  /**
   * tfjs' `setWeights`; β-power entries ({@link ADAM_BETA_POWERS}), when present, are restored exactly. The
   * moments it replaces are disposed (tfjs' own `setWeights` drops them without freeing them), unless they are
   * among the tensors passed in.
   */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const isPower = (w: NamedTensor) => (ADAM_BETA_POWERS as readonly string[]).includes(w.name);
    const powers = weights.filter(isPower);
    const replaced = this as unknown as AdamState;
    const old = [...(replaced.accumulatedFirstMoment ?? []), ...(replaced.accumulatedSecondMoment ?? [])];
    await super.setWeights(weights.filter((w) => !isPower(w)));
    // getWeights hands out the moment variables themselves: those passed back in stay the caller's.
    const incoming = new Set<Tensor>(weights.map((w) => w.tensor));
    for (const m of old) if (!incoming.has(m.variable)) m.variable.dispose();
    if (!powers.length) return;
    const self = this as unknown as AdamState;
    for (const [i, name] of ADAM_BETA_POWERS.entries()) {
      const w = powers.find((p) => p.name === name);
      if (w?.tensor.size !== 1 || w.tensor.dtype !== 'float32') {
        throw new SiameseError(
          'E_INVALID_ARGUMENT',
          `FusedAdamOptimizer.setWeights: expected float32 scalars ${ADAM_BETA_POWERS.join(' and ')}, found ${powers.map((p) => `${p.name} ${p.tensor.dtype}[${p.tensor.shape}]`).join(', ')}`,
        );
      }
      tidy(() => (i === 0 ? self.accBeta1 : self.accBeta2).assign(reshape(w.tensor, [])));
    }
  }

  /**
   * Applies gradients keyed by variable name, e.g. the `grads` of `tf.variableGrads`. (tfjs types the map as
   * variables, although it holds gradient tensors; this accepts what `variableGrads` returns.)
   */
  override applyGradients(variableGradients: NamedTensorMap | { name: string; tensor: Tensor }[]): void {
    if (!getKernel(ADAM_UPDATE, getBackend())) {
      super.applyGradients(variableGradients as Parameters<AdamOptimizer['applyGradients']>[0]);
      return;
    }
    const self = this as unknown as AdamState & {
      learningRate: number;
      beta1: number;
      beta2: number;
      epsilon: number;
    };
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const c1 = 1 - self.accBeta1.dataSync()[0]!;
    const c2 = 1 - self.accBeta2.dataSync()[0]!;
    const attrs = {
      learningRate: self.learningRate,
      beta1: self.beta1,
      beta2: self.beta2,
      epsilon: self.epsilon,
      c1,
      c2,
    };
    tidy(() => {
      names.forEach((name, i) => {
        const value = engine().registeredVariables[name]!;
        self.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tidy(() => variable(zerosLike(value), false)),
        };
        self.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tidy(() => variable(zerosLike(value), false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]!.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const [x2, m2, v2] = engine().runKernel(
          ADAM_UPDATE,
          { x: value, g: gradient, m, v },
          attrs as unknown as NamedAttrMap,
        ) as Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(x2!);
      });
      self.accBeta1.assign(mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }
}

/**
 * Drop-in for `tf.train.adam(learningRate, beta1, beta2, epsilon)` whose update is one fused pass per variable.
 *
 * @example
 * ```ts
 * const opt = fusedAdam(1e-3);
 * opt.minimize(() => loss(), false, model.trainableVariables);
 * ```
 */
export function fusedAdam(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon?: number,
): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
